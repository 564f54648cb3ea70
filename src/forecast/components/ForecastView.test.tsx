// The screen against a service without $apply (like the hosted CRM): it must page through
// the opportunities with $select, and show the sums per currency or converted, never mixed.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { todayIso } from '../../lib/format';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import { resetRateTableCache } from '../hooks/use-rate-table';
import { ForecastView } from './ForecastView';

const pipeline = '11111111-1111-4111-8111-111111111111';
const lead = '22222222-2222-4222-8222-222222222222';
const won = '33333333-3333-4333-8333-333333333333';
const rep = '44444444-4444-4444-8444-444444444444';
const today = todayIso();

const opp = (Currency: string, EstimatedAmount: number, WeightedAmount: number, date = today) => ({
  ID: crypto.randomUUID(),
  Currency,
  EstimatedAmount,
  WeightedAmount,
  ExpectedOrderDate: date,
  Pipeline: { ID: pipeline },
  Phase: { ID: lead },
  SalesRepresentative: { ID: rep },
});

function service() {
  return fakeService({
    'GET /v1/odata/$metadata': () => ({ body: '<edmx:Edmx><EntityContainer Name="C"/></edmx:Edmx>' }),
    'GET /v1/odata/Pipeline': () => ({
      body: { value: [{ ID: pipeline, Name: 'New business', SortIndex: 1 }] },
    }),
    'GET /v1/odata/Datastore_Phase_ActivitySalesOpportunity': () => ({
      body: {
        value: [
          {
            ID: lead,
            Name: 'Lead',
            Code: 'Lead',
            Probability: 10,
            SortIndex: 1,
            IsWon: false,
            IsLost: false,
          },
          { ID: won, Name: 'Won', Code: 'Won', Probability: 100, SortIndex: 101, IsWon: true, IsLost: false },
        ],
      },
    }),
    'GET /v1/odata/Relation_Person_Contact_Employee': () => ({
      body: { value: [{ ID: rep, FirstName: 'Ann', LastName: 'Lee' }] },
    }),
    'GET /v1/odata/Activity_SalesOpportunity': (request) =>
      request.url.searchParams.get('$filter')?.includes('IsClosed eq true')
        ? { body: { value: [{ ...opp('EUR', 500, 500), Phase: { ID: won } }] } }
        : { body: { value: [opp('EUR', 1000, 100), opp('USD', 1000, 200), opp('CHF', 50, 5)] } },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  resetRateTableCache();
});

describe('ForecastView without $apply', () => {
  it('pages through narrow listings and converts at the visible rates, naming what it cannot', async () => {
    const { requests } = service();
    renderWithClient(<ForecastView pipelineId={pipeline} pipelineName="New business" />);
    const phases = await screen.findByRole('region', { name: /funnel by phase/ });
    const listings = requests.filter((r) => r.url.pathname.endsWith('Activity_SalesOpportunity'));
    expect(listings.length).toBe(2);
    for (const listing of listings) {
      expect(listing.url.searchParams.get('$apply')).toBeNull();
      expect(listing.url.searchParams.get('$select')).toMatch(/^ID,Currency,EstimatedAmount,WeightedAmount/);
    }
    await userEvent.click(within(phases).getByText('Show the numbers'));
    // 1000 EUR + 1000 USD × 0.92; CHF has no rate and is left out
    const row = within(phases).getByRole('row', { name: /^Lead/ });
    expect(row).toHaveTextContent('Lead2€1,920€284');
    expect(screen.getByRole('status')).toHaveTextContent('Not included, no rate: CHF');
    expect(screen.getByText('Summed here from the listed deals')).toBeInTheDocument();

    // a rate for CHF brings its deal in
    const chf = screen.getByLabelText('EUR per CHF');
    await userEvent.type(chf, '1.05{Enter}');
    expect(within(phases).getByRole('row', { name: /^Lead/ })).toHaveTextContent('Lead3€1,973€289');
    expect(screen.queryByText(/Not included/)).not.toBeInTheDocument();
  });

  it('takes the win rate from closed deals', async () => {
    service();
    renderWithClient(<ForecastView pipelineId={pipeline} pipelineName="New business" />);
    expect(await screen.findByText('1 won of 1 closed')).toBeInTheDocument();
    expect(screen.getByText('100%')).toBeInTheDocument();
  });
});
