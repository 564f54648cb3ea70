import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { authKeys } from '../../api/query-keys';
import { fakeService } from '../../test/fake-service';
import { createTestClient, renderWithClient } from '../../test/render-with-client';
import { sanneEmployee, tom } from '../../test/test-people';
import { OpportunityDrawer } from './OpportunityDrawer';

const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

describe('OpportunityDrawer', () => {
  it('shows a currency other than EUR, USD and GBP as it is, not as the first choice', async () => {
    fakeService({
      [`GET /v1/odata/Activity_SalesOpportunity(${id})`]: () => ({
        body: {
          '@odata.etag': 'W/"1"',
          ID: id,
          Subject: 'Swiss deal',
          Number: '2026-00042',
          Currency: 'CHF',
          EstimatedAmount: 1234.5,
          Probability: 40,
          WeightedAmount: 493.8,
          ProductLines: [],
        },
      }),
      'GET /v1/odata/': () => ({ body: { value: [] } }),
    });
    renderWithClient(<OpportunityDrawer id={id} onClose={() => {}} />);
    const currency = (await screen.findByLabelText('Currency')) as HTMLSelectElement;
    expect(currency.value).toBe('CHF');
    expect([...currency.options].map((o) => o.value)).toEqual(['EUR', 'USD', 'GBP', 'CHF']);
  });

  it("shows another tom's deal read-only to a tom, with the reason", async () => {
    const { requests } = fakeService({
      [`GET /v1/odata/Activity_SalesOpportunity(${id})`]: () => ({
        body: {
          '@odata.etag': 'W/"1"',
          ID: id,
          Subject: "Sanne's deal",
          Number: '2026-00043',
          Currency: 'EUR',
          EstimatedAmount: 1000,
          Probability: 40,
          WeightedAmount: 400,
          ProductLines: [],
          SalesRepresentative: sanneEmployee,
        },
      }),
      'GET /v1/odata/': () => ({ body: { value: [] } }),
    });
    const client = createTestClient();
    client.setQueryData(authKeys.session(), { person: tom, repSees: 'all' });
    let closed = false;
    renderWithClient(<OpportunityDrawer id={id} onClose={() => (closed = true)} />, client);
    expect(await screen.findByText("Read only: Sanne de Vries's deal.")).toBeInTheDocument();
    expect(
      screen.getByText("Only Sanne de Vries or a manager can change Sanne de Vries's deal."),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Subject')).toBeDisabled();
    expect(screen.getByLabelText('Phase')).toBeDisabled();
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
    await userEvent.click(screen.getByText('Close', { selector: 'button' }));
    expect(closed).toBe(true);
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('OpportunityDrawer history', () => {
  const deal = {
    '@odata.etag': 'W/"1"',
    ID: id,
    Subject: 'History deal',
    Number: '2026-00044',
    Currency: 'EUR',
    EstimatedAmount: 1000,
    Probability: 40,
    WeightedAmount: 400,
    ProductLines: [],
  };
  const historyPath = `GET /v1/odata/Activity_SalesOpportunity(${id})/History`;

  it('shows no history section where the service has none, and the rest of the drawer as usual', async () => {
    const { requests } = fakeService({
      [`GET /v1/odata/Activity_SalesOpportunity(${id})`]: () => ({ body: deal }),
      [historyPath]: () => ({
        status: 404,
        body: { error: { code: 'NotFound', message: 'No such segment' } },
      }),
      'GET /v1/odata/': () => ({ body: { value: [] } }),
    });
    renderWithClient(<OpportunityDrawer id={id} onClose={() => {}} />);
    expect(await screen.findByRole('region', { name: 'Record' })).toBeInTheDocument();
    await expect.poll(() => requests.some((r) => r.url.pathname.endsWith('/History'))).toBe(true);
    await waitFor(() => expect(screen.queryByRole('region', { name: 'History' })).toBeNull());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reads the history again after a save', async () => {
    let amount = 1000;
    const { requests } = fakeService({
      [`GET /v1/odata/Activity_SalesOpportunity(${id})`]: () => ({
        body: { ...deal, EstimatedAmount: amount, '@odata.etag': `W/"${amount}"` },
      }),
      [`PATCH /v1/odata/Activity_SalesOpportunity(${id})`]: ({ body }) => {
        amount = (body as { EstimatedAmount: number }).EstimatedAmount;
        return { status: 204 };
      },
      [historyPath]: () => ({
        body: {
          value:
            amount === 1000
              ? []
              : [
                  {
                    Sequence: 2,
                    At: new Date().toISOString(),
                    ActorID: 'p1',
                    ActorName: 'Mark de Wit',
                    Kind: 'updated',
                    Changes: [{ Property: 'EstimatedAmount', Old: 1000, New: amount }],
                  },
                ],
        },
      }),
      'GET /v1/odata/': () => ({ body: { value: [] } }),
    });
    renderWithClient(<OpportunityDrawer id={id} onClose={() => {}} />);
    expect(await screen.findByText('No changes recorded yet.')).toBeInTheDocument();
    const input = screen.getByLabelText('Estimated amount');
    await userEvent.clear(input);
    await userEvent.type(input, '2500');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const history = await screen.findByRole('region', { name: 'History' });
    expect(await within(history).findByText('Amount €1,000 → €2,500')).toBeInTheDocument();
    expect(within(history).getByText(/Mark de Wit/)).toBeInTheDocument();
    expect(requests.filter((r) => r.url.pathname.endsWith('/History'))).toHaveLength(2);
  });
});
