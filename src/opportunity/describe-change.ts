// A journal entry in a sales person's words: the headline ("Proposal → Negotiation", "Won",
// "Lost: Price too high", "Created in Lead") and what else changed with it ("probability 40% →
// 60%"). Derived values the rep did not set (weighted amount, closed flag, card order, the
// customer's name copy) are folded away; an entry with nothing else is not shown.
import { formatDate, formatMoney, formatPercent } from '../lib/format';
import type { HistoryName } from './api/history-names-query';
import type { Change, PropertyChange } from './api/history-query';

export interface DescribedChange {
  title: string;
  details: string[];
  tone: 'won' | 'lost' | 'neutral';
}

/** The deal's currency before and after an entry (an entry may change it). */
export interface EntryCurrency {
  before: string;
  after: string;
}

/** Never shown: derived by the service, or bookkeeping. */
const folded = new Set([
  'WeightedAmount',
  'IsClosed',
  'SortIndex',
  'RelationDescription',
  'CreationDate',
  'LastMutationDate',
  'Number',
]);

/** Totals the service derives from the product lines: one "product lines changed" line. */
const productLineTotals = new Set([
  'Amount',
  'AmountInCurrency',
  'NumberOfProductLines',
  'TotalMargin',
  'TotalSalesExcludingVAT',
  'TotalSalesIncludingVAT',
  'VatAmount',
  'TotalDiscountExcludingVAT',
  'TotalPurchaseAmount',
  'BillingAmount',
  'BillingAmountInCurrency',
]);

const labels: Record<string, string> = {
  Subject: 'subject',
  EstimatedAmount: 'amount',
  Probability: 'probability',
  ExpectedOrderDate: 'expected order date',
  Currency: 'currency',
  Pipeline: 'pipeline',
  SalesRepresentative: 'sales rep',
  Source: 'source',
  LostReason: 'lost reason',
  LostToCompetitor: 'lost to',
  Relationship: 'customer',
  Contact: 'contact',
  DiscountPercentage: 'discount',
  IsVatIncluded: 'prices include VAT',
};

/** Links, by navigation name: their values are record IDs. */
const links = new Set([
  'Phase',
  'Pipeline',
  'SalesRepresentative',
  'Source',
  'LostReason',
  'LostToCompetitor',
  'Relationship',
  'Contact',
  'PriceList',
]);

const present = (value: unknown) => value !== null && value !== undefined && value !== '';

/** `EstimatedAmount` → `estimated amount`, for a property we have no label for. */
const humanize = (name: string) =>
  labels[name] ??
  name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Describes one entry, or null for one that changed only what is folded. `names` holds the
 * linked records' names by ID (phases with IsWon and IsLost).
 */
export function describeChange(
  change: Change,
  names: ReadonlyMap<string, HistoryName>,
  currency: EntryCurrency,
): DescribedChange | null {
  const byProperty = new Map(change.Changes.map((c) => [c.Property, c]));
  const nameOf = (id: unknown) => (typeof id === 'string' ? names.get(id)?.Name : undefined);

  const format = (property: string, value: unknown, money: string): string => {
    if (links.has(property)) return nameOf(value) ?? 'another record';
    switch (property) {
      case 'EstimatedAmount':
      case 'Amount':
        return formatMoney(Number(value), money);
      case 'Probability':
      case 'DiscountPercentage':
        return formatPercent(Number(value));
      case 'ExpectedOrderDate':
        return formatDate(String(value));
      case 'Subject':
        return `“${String(value)}”`;
      default:
        return typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
    }
  };

  const phrase = ({ Property, Old, New }: PropertyChange): string => {
    const label = humanize(Property);
    const old = present(Old) ? format(Property, Old, currency.before) : undefined;
    const now = present(New) ? format(Property, New, currency.after) : undefined;
    if (Property === 'SalesRepresentative') {
      if (old === undefined) return `assigned to ${now}`;
      if (now === undefined) return `unassigned (was ${old})`;
    }
    // A link to a record we cannot name (a customer elsewhere): say that it changed.
    if (links.has(Property) && !nameOf(Old) && !nameOf(New)) return `${label} changed`;
    if (old === undefined) return `${label} set to ${now}`;
    if (now === undefined) return `${label} removed (was ${old})`;
    return `${label} ${old} → ${now}`;
  };

  if (change.Kind === 'deleted') return { title: 'Deleted', details: [], tone: 'neutral' };

  if (change.Kind === 'created') {
    const phase = nameOf(byProperty.get('Phase')?.New);
    const amount = byProperty.get('EstimatedAmount')?.New;
    const expected = byProperty.get('ExpectedOrderDate')?.New;
    const rep = nameOf(byProperty.get('SalesRepresentative')?.New);
    const details = [
      present(amount) ? `amount ${format('EstimatedAmount', amount, currency.after)}` : '',
      present(expected) ? `expected ${format('ExpectedOrderDate', expected, currency.after)}` : '',
      rep ? `for ${rep}` : '',
    ].filter(Boolean);
    return { title: phase ? `Created in ${phase}` : 'Created', details, tone: 'neutral' };
  }

  const rest = change.Changes.filter((c) => !folded.has(c.Property) && c.Property !== 'Phase');
  const move = byProperty.get('Phase');
  let title: string | undefined;
  let tone: DescribedChange['tone'] = 'neutral';
  let shown = rest;
  let leading: string[] = [];

  if (move) {
    const to = typeof move.New === 'string' ? names.get(move.New) : undefined;
    const from = nameOf(move.Old);
    if (to?.IsWon || to?.IsLost) {
      // The probability and the lost fields follow from the close: part of the headline.
      shown = rest.filter((c) => !['Probability', 'LostReason', 'LostToCompetitor'].includes(c.Property));
      if (to.IsWon) {
        title = 'Won';
        tone = 'won';
      } else {
        const reason = nameOf(byProperty.get('LostReason')?.New);
        const competitor = nameOf(byProperty.get('LostToCompetitor')?.New);
        title = reason ? `Lost: ${reason}` : 'Lost';
        tone = 'lost';
        if (competitor) leading = [`to ${competitor}`];
      }
    } else {
      // Reopening clears the lost fields: no news.
      shown = rest.filter(
        (c) => !(['LostReason', 'LostToCompetitor'].includes(c.Property) && !present(c.New)),
      );
      const toName = to?.Name ?? 'another phase';
      const was = typeof move.Old === 'string' ? names.get(move.Old) : undefined;
      const reopened = was?.IsWon || was?.IsLost ? 'Reopened: ' : '';
      title = from
        ? `${reopened}${from} → ${toName}`
        : present(move.New)
          ? `Moved to ${toName}`
          : 'Phase removed';
    }
  }

  function phrases(list: PropertyChange[]): string[] {
    const out: string[] = [];
    let totals: PropertyChange | undefined;
    let totalsChanged = false;
    for (const c of list) {
      if (productLineTotals.has(c.Property)) {
        totalsChanged = true;
        if (c.Property === 'Amount') totals = c;
      } else out.push(phrase(c));
    }
    if (totalsChanged) {
      out.push(
        totals && present(totals.Old) && present(totals.New)
          ? `product lines total ${format('Amount', totals.Old, currency.before)} → ${format('Amount', totals.New, currency.after)}`
          : 'product lines changed',
      );
    }
    return out;
  }

  const details = [...leading, ...phrases(shown)];
  if (title) return { title, details, tone };
  if (details.length === 0) return null;
  return { title: capitalize(details[0]), details: details.slice(1), tone };
}

/**
 * The currency around each entry, newest first: the deal's current one, and before an entry
 * that changed it, that entry's old one.
 */
export function currenciesOf(changes: readonly Change[], current: string): EntryCurrency[] {
  let after = current;
  return changes.map((change) => {
    const switched = change.Changes.find((c) => c.Property === 'Currency');
    const entry = {
      before: switched && typeof switched.Old === 'string' ? switched.Old : after,
      after: switched && typeof switched.New === 'string' ? switched.New : after,
    };
    after = entry.before;
    return entry;
  });
}
