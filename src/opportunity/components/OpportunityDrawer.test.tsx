import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
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
});
