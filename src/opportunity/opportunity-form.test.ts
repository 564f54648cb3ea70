import { describe, expect, it } from 'vitest';
import { changesOf, type OpportunityForm } from './opportunity-form';

const form: OpportunityForm = {
  Subject: 'Deal',
  EstimatedAmount: '1000',
  Currency: 'EUR',
  Probability: '10',
  ExpectedOrderDate: '',
  Phase: 'p1',
  SalesRepresentative: '',
  Source: 's1',
};

describe('changesOf', () => {
  it('sends only changed fields, typed for the service', () => {
    expect(
      changesOf(form, {
        ...form,
        Probability: '55',
        ExpectedOrderDate: '2026-12-31',
        Phase: 'p2',
        Source: '',
        EstimatedAmount: '',
      }),
    ).toEqual({
      Probability: 55,
      ExpectedOrderDate: '2026-12-31',
      Phase: { ID: 'p2' },
      Source: null,
      EstimatedAmount: null,
    });
    expect(changesOf(form, form)).toEqual({});
  });
});
