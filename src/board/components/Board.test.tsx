import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import { Board } from './Board';

const pipelineId = '00000000-0000-4000-8000-000000000001';
const lead = {
  ID: '00000000-0000-4000-8000-00000000000a',
  Name: 'Lead',
  Code: 'Lead',
  Probability: 10,
  SortIndex: 1,
  IsWon: false,
  IsLost: false,
};
const won = {
  ID: '00000000-0000-4000-8000-00000000000b',
  Name: 'Won',
  Code: 'Won',
  Probability: 100,
  SortIndex: 101,
  IsWon: true,
  IsLost: false,
};
const card = (n: number, phase: string, extra: object = {}) => ({
  ID: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
  Subject: `Deal ${n}`,
  Number: `2026-000${n}`,
  EstimatedAmount: 1000 * n,
  WeightedAmount: 100 * n,
  Probability: 10,
  Currency: 'EUR',
  ExpectedOrderDate: '2020-01-01',
  IsClosed: false,
  SortIndex: n,
  LastMutationDate: new Date().toISOString(),
  Relationship: { ID: 'r', Name: 'Acme BV' },
  SalesRepresentative: { ID: 's', FirstName: 'Sanne', LastName: 'de Vries' },
  phase,
  ...extra,
});

const cards = [card(1, lead.ID), card(2, lead.ID, { Currency: 'USD' }), card(3, won.ID, { IsClosed: true })];

function serve(opportunities = cards) {
  return fakeService({
    'GET /v1/odata/Datastore_Phase_ActivitySalesOpportunity': () => ({ body: { value: [lead, won] } }),
    'GET /v1/odata/Activity_SalesOpportunity': (request) => {
      const filter = request.url.searchParams.get('$filter') ?? '';
      const rows = opportunities.filter(
        (o) => !filter.includes('Phase/ID') || filter.includes(`Phase/ID eq ${o.phase}`),
      );
      return { body: { value: rows.map(({ phase, ...o }) => ({ ...o, Phase: { ID: phase } })) } };
    },
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('Board', () => {
  it('shows each phase as a region named after it, with its cards as articles named by subject', async () => {
    serve();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const leadColumn = await screen.findByRole('region', { name: /^Lead/ });
    expect(await within(leadColumn).findByRole('article', { name: 'Deal 1' })).toBeInTheDocument();
    expect(within(leadColumn).getByRole('article', { name: 'Deal 2' })).toBeInTheDocument();
    const wonColumn = screen.getByRole('region', { name: /^Won/ });
    expect(await within(wonColumn).findByRole('article', { name: 'Deal 3' })).toBeInTheDocument();
    // an open deal past its expected date is marked overdue; a closed one is not
    expect(within(leadColumn).getAllByText('(overdue)')).toHaveLength(2);
    expect(within(wonColumn).queryByText('(overdue)')).toBeNull();
  });

  it('sums each currency separately in the column header', async () => {
    serve();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const leadColumn = await screen.findByRole('region', { name: /^Lead/ });
    const sums = within(leadColumn).getByTestId('column-sums');
    await waitFor(() => expect(sums).toHaveTextContent('US$2,000'));
    expect(sums).toHaveTextContent('€1,000');
    expect(sums).not.toHaveTextContent('3,000');
    expect(within(leadColumn).getByText('2')).toBeInTheDocument();
  });

  it('opens a card with Enter', async () => {
    serve();
    const onOpen = vi.fn();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={onOpen} />);
    const article = await screen.findByRole('article', { name: 'Deal 1' });
    article.focus();
    await userEvent.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledWith(cards[0].ID);
  });

  it('marks a card untouched for longer than the stale threshold', async () => {
    serve([card(1, lead.ID, { LastMutationDate: '2020-01-01T00:00:00Z' }), card(2, lead.ID)]);
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const stale = await screen.findByRole('article', { name: 'Deal 1' });
    expect(within(stale).getByText('Stale')).toBeInTheDocument();
    expect(within(screen.getByRole('article', { name: 'Deal 2' })).queryByText('Stale')).toBeNull();
  });

  it('shows an error with a retry when a column cannot load', async () => {
    let fail = true;
    fakeService({
      'GET /v1/odata/Datastore_Phase_ActivitySalesOpportunity': () => ({ body: { value: [lead] } }),
      'GET /v1/odata/Activity_SalesOpportunity': () =>
        fail
          ? { status: 503, body: { error: { code: 'Unavailable', message: 'The service is busy' } } }
          : { body: { value: [] } },
    });
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const column = await screen.findByRole('region', { name: /^Lead/ });
    expect(await within(column).findByText('The service is busy')).toBeInTheDocument();
    fail = false;
    await userEvent.click(within(column).getByRole('button', { name: 'Try again' }));
    expect(await within(column).findByText('No opportunities')).toBeInTheDocument();
  });
});
