import { describe, expect, it } from 'vitest';
import type { HistoryName } from './api/history-names-query';
import type { Change, PropertyChange } from './api/history-query';
import { currenciesOf, describeChange } from './describe-change';

const names = new Map<string, HistoryName>(
  [
    { ID: 'lead', Name: 'Lead' },
    { ID: 'proposal', Name: 'Proposal' },
    { ID: 'negotiation', Name: 'Negotiation' },
    { ID: 'won', Name: 'Won', IsWon: true },
    { ID: 'lost', Name: 'Lost', IsLost: true },
    { ID: 'price', Name: 'Price too high' },
    { ID: 'acme', Name: 'Acme Rivals' },
    { ID: 'anna', Name: 'Anna Akker' },
    { ID: 'bob', Name: 'Bob Bakker' },
  ].map((n) => [n.ID, n]),
);

const entry = (Kind: string, Changes: PropertyChange[]): Change => ({
  Sequence: 1,
  At: '2026-12-01T10:00:00.000Z',
  ActorID: 'p1',
  ActorName: 'Sophie van der Meer',
  Kind,
  Changes,
});
const c = (Property: string, Old: unknown, New: unknown): PropertyChange => ({ Property, Old, New });
const eur = { before: 'EUR', after: 'EUR' };

describe('describeChange', () => {
  it('names both phases of a move, with the probability it set as part of it and the weighted amount folded', () => {
    expect(
      describeChange(
        entry('updated', [
          c('Phase', 'proposal', 'negotiation'),
          c('Probability', 40, 60),
          c('WeightedAmount', 400, 600),
          c('SortIndex', 3, 1),
        ]),
        names,
        eur,
      ),
    ).toEqual({ title: 'Proposal → Negotiation', details: ['probability 40% → 60%'], tone: 'neutral' });
  });

  it('reads a move to a won phase as Won, and to a lost one as Lost with the reason and competitor', () => {
    expect(
      describeChange(
        entry('updated', [
          c('Phase', 'negotiation', 'won'),
          c('Probability', 60, 100),
          c('IsClosed', false, true),
        ]),
        names,
        eur,
      ),
    ).toEqual({ title: 'Won', details: [], tone: 'won' });
    expect(
      describeChange(
        entry('updated', [
          c('Phase', 'proposal', 'lost'),
          c('LostReason', null, 'price'),
          c('LostToCompetitor', null, 'acme'),
          c('Probability', 40, 0),
        ]),
        names,
        eur,
      ),
    ).toEqual({ title: 'Lost: Price too high', details: ['to Acme Rivals'], tone: 'lost' });
    expect(
      describeChange(
        entry('updated', [
          c('Phase', 'lost', 'proposal'),
          c('LostReason', 'price', null),
          c('Probability', 0, 40),
        ]),
        names,
        eur,
      ),
    ).toEqual({ title: 'Reopened: Lost → Proposal', details: ['probability 0% → 40%'], tone: 'neutral' });
  });

  it('reads an amount change in the deal’s currency, and a create with its phase and amount', () => {
    expect(
      describeChange(
        entry('updated', [c('EstimatedAmount', 1000, 1500), c('WeightedAmount', 100, 150)]),
        names,
        eur,
      ),
    ).toEqual({ title: 'Amount €1,000 → €1,500', details: [], tone: 'neutral' });
    expect(
      describeChange(
        entry('created', [
          c('Subject', null, 'Deal'),
          c('Phase', null, 'lead'),
          c('EstimatedAmount', null, 1000),
          c('ExpectedOrderDate', null, '2026-12-31'),
          c('SalesRepresentative', null, 'anna'),
        ]),
        names,
        { before: 'USD', after: 'USD' },
      ),
    ).toEqual({
      title: 'Created in Lead',
      details: ['amount US$1,000', 'expected 31 Dec 2026', 'for Anna Akker'],
      tone: 'neutral',
    });
  });

  it('words dates, reps, product line totals, and hides an entry of folded values only', () => {
    expect(
      describeChange(
        entry('updated', [
          c('ExpectedOrderDate', '2026-12-31', '2027-01-15'),
          c('SalesRepresentative', 'anna', 'bob'),
          c('Subject', 'Old', 'New'),
        ]),
        names,
        eur,
      ),
    ).toEqual({
      title: 'Expected order date 31 Dec 2026 → 15 Jan 2027',
      details: ['sales rep Anna Akker → Bob Bakker', 'subject “Old” → “New”'],
      tone: 'neutral',
    });
    expect(
      describeChange(entry('updated', [c('Amount', 0, 250), c('NumberOfProductLines', 0, 1)]), names, eur)
        ?.title,
    ).toBe('Product lines total €0 → €250');
    expect(
      describeChange(entry('updated', [c('SortIndex', 1, 2), c('WeightedAmount', 1, 2)]), names, eur),
    ).toBeNull();
    expect(
      describeChange(entry('updated', [c('SalesRepresentative', 'anna', null)]), names, eur)?.title,
    ).toBe('Unassigned (was Anna Akker)');
  });

  it('gives each entry the currency it was written in', () => {
    const newestFirst = [
      entry('updated', [c('EstimatedAmount', 1, 2)]),
      entry('updated', [c('Currency', 'EUR', 'USD')]),
      entry('created', []),
    ];
    expect(currenciesOf(newestFirst, 'USD')).toEqual([
      { before: 'USD', after: 'USD' },
      { before: 'EUR', after: 'USD' },
      { before: 'EUR', after: 'EUR' },
    ]);
  });
});
