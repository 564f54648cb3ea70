import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { queryKeys } from '../../api/query-keys';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import type { Change } from '../api/history-query';
import type { OpportunityDetail } from '../api/opportunity-query';
import { DealHistory } from './DealHistory';

const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const historyPath = `/v1/odata/Activity_SalesOpportunity(${id})/History`;
const opportunity = { ID: id, Subject: 'Deal', Currency: 'EUR' } as OpportunityDetail;

const phases = [
  { ID: 'p-lead', Name: 'Lead', IsWon: false, IsLost: false },
  { ID: 'p-proposal', Name: 'Proposal', IsWon: false, IsLost: false },
  { ID: 'p-negotiation', Name: 'Negotiation', IsWon: false, IsLost: false },
  { ID: 'p-won', Name: 'Won', IsWon: true, IsLost: false },
  { ID: 'p-lost', Name: 'Lost', IsWon: false, IsLost: true },
];
const reasons = [{ ID: 'r-price', Name: 'Price too high' }];

let sequence = 100;
const change = (
  Kind: string,
  Changes: [string, unknown, unknown][],
  ActorName = 'Sophie van der Meer',
): Change => ({
  Sequence: sequence--,
  At: new Date(Date.now() - (200 - sequence) * 60_000).toISOString(),
  ActorID: 'person-1',
  ActorName,
  Kind,
  Changes: Changes.map(([Property, Old, New]) => ({ Property, Old, New })),
});

function serve(pages: Change[][]) {
  return fakeService({
    [`GET ${historyPath}`]: ({ url }) => {
      const index = Number(url.searchParams.get('$skiptoken') ?? 0);
      return {
        body: {
          '@odata.context': 'http://localhost/v1/odata/$metadata#Collection(Dealdeck.Change)',
          value: pages[index],
          ...(index + 1 < pages.length
            ? { '@odata.nextLink': `http://localhost${historyPath}?$skiptoken=${index + 1}` }
            : {}),
        },
      };
    },
    'GET /v1/odata/Datastore_Phase_ActivitySalesOpportunity': () => ({ body: { value: phases } }),
    'GET /v1/odata/Datastore_LostReason': () => ({ body: { value: reasons } }),
  });
}

describe('DealHistory', () => {
  it('lists a deal’s changes in words, newest first, with who and when', async () => {
    serve([
      [
        change('updated', [
          ['Phase', 'p-negotiation', 'p-lost'],
          ['LostReason', null, 'r-price'],
          ['Probability', 60, 0],
        ]),
        change('updated', [
          ['Phase', 'p-proposal', 'p-negotiation'],
          ['Probability', 40, 60],
          ['WeightedAmount', 400, 600],
        ]),
        change('updated', [['EstimatedAmount', 1000, 1500]], 'Anna Akker'),
        change('updated', [['Phase', 'p-lead', 'p-proposal']]),
        change('created', [
          ['Subject', null, 'Deal'],
          ['Phase', null, 'p-lead'],
          ['EstimatedAmount', null, 1000],
        ]),
      ],
    ]);
    renderWithClient(<DealHistory opportunity={opportunity} />);
    const section = await screen.findByRole('region', { name: 'History' });
    expect(within(section).getByRole('heading', { name: 'History' })).toBeInTheDocument();
    const items = await within(section).findAllByRole('listitem');
    expect(items.map((item) => item.querySelector('p')?.textContent)).toEqual([
      'Lost: Price too high',
      'Proposal → Negotiation',
      'Amount €1,000 → €1,500',
      'Lead → Proposal',
      'Created in Lead',
    ]);
    expect(items[1]).toHaveTextContent('probability 40% → 60%');
    expect(items[1]).not.toHaveTextContent('weighted');
    expect(items[2]).toHaveTextContent('Anna Akker');
    expect(items[4]).toHaveTextContent('amount €1,000');
    expect(items[0]).toHaveTextContent('Sophie van der Meer');
    const time = items[0].querySelector('time')!;
    expect(time.getAttribute('dateTime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(time).toHaveAttribute('title');
    expect(time).toHaveTextContent(/ago|just now/);
  });

  it('reads a move to a won phase as Won', async () => {
    serve([
      [
        change('updated', [
          ['Phase', 'p-negotiation', 'p-won'],
          ['Probability', 60, 100],
        ]),
      ],
    ]);
    renderWithClient(<DealHistory opportunity={opportunity} />);
    const [item] = await screen.findAllByRole('listitem');
    expect(item.querySelector('p')).toHaveTextContent(/^Won$/);
    expect(item).not.toHaveTextContent('probability');
  });

  it('shows the next page on "Show more", following the server’s nextLink', async () => {
    const { requests } = serve([
      [change('updated', [['EstimatedAmount', 2000, 3000]])],
      [change('updated', [['Phase', 'p-lead', 'p-proposal']])],
    ]);
    renderWithClient(<DealHistory opportunity={opportunity} />);
    expect(await screen.findAllByRole('listitem')).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: 'Show more' }));
    expect(await screen.findByText('Lead → Proposal')).toBeInTheDocument();
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    const pages = requests.filter((r) => r.url.pathname.endsWith('/History'));
    expect(pages.map((r) => r.url.search)).toEqual(['', '?$skiptoken=1']);
    // the first entry of the new page takes the focus, the button being gone
    expect(screen.getAllByRole('listitem')[1]).toHaveFocus();
  });

  it('reads the history again whenever the opportunity is refreshed (a save, a move on the board)', async () => {
    const { requests } = serve([[change('updated', [['EstimatedAmount', 1, 2]])]]);
    const { client } = renderWithClient(<DealHistory opportunity={opportunity} />);
    await screen.findAllByRole('listitem');
    // what the board's move and the drawer's save invalidate
    await client.invalidateQueries({ queryKey: queryKeys.opportunity(id) });
    expect(requests.filter((r) => r.url.pathname.endsWith('/History'))).toHaveLength(2);
  });

  it.each([404, 400, 501])(
    'shows no section where the service answers %i (no History there)',
    async (status) => {
      const { requests } = fakeService({
        [`GET ${historyPath}`]: () => ({
          status,
          body: { error: { code: 'NotFound', message: 'Resource not found for the segment History' } },
        }),
      });
      const { container } = renderWithClient(<DealHistory opportunity={opportunity} />);
      await expect.poll(() => requests.length).toBe(1);
      await expect.poll(() => container.innerHTML).toBe('');
      expect(screen.queryByText('History')).toBeNull();
      expect(screen.queryByRole('alert')).toBeNull();
    },
  );

  it('shows no section where the service’s History is something else', async () => {
    const { requests } = fakeService({
      [`GET ${historyPath}`]: () => ({ body: { value: [{ ID: 'x', Description: 'Called the customer' }] } }),
    });
    const { container } = renderWithClient(<DealHistory opportunity={opportunity} />);
    await expect.poll(() => requests.length).toBe(1);
    await expect.poll(() => container.innerHTML).toBe('');
  });

  it('offers a retry when the history cannot be read', async () => {
    let fail = true;
    fakeService({
      [`GET ${historyPath}`]: () =>
        fail
          ? { status: 500, body: { error: { code: 'Internal', message: 'Database unavailable' } } }
          : { body: { value: [change('updated', [['EstimatedAmount', 1, 2]])] } },
    });
    renderWithClient(<DealHistory opportunity={opportunity} />);
    const alert = await screen.findByRole('alert');
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Amount €1 → €2')).toBeInTheDocument();
  });
});
