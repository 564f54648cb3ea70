// Amounts of opportunities summed per key and currency: what the forecast charts and the board's
// column totals are made of. The $apply path gets these from the service (sumsViaApply), the
// paging path computes them from a narrow listing (groupRows); both end in `normalizeGroups`,
// so the two can be compared number for number.

export interface AmountGroup {
  /** the grouping value: a record ID, a day, or null when the opportunity has none */
  key: string | null;
  currency: string;
  count: number;
  estimated: number;
  weighted: number;
}

// Money is shown to the cent at most; rounding here hides the last-bit differences between
// the database's SUM and JavaScript's additions, which happen in different orders.
const cents = (n: number) => Math.round(n * 100) / 100;

/** Rounds to cents and sorts by key, then currency (nulls first): one canonical form. */
export function normalizeGroups(groups: AmountGroup[]): AmountGroup[] {
  return groups
    .map((g) => ({ ...g, estimated: cents(g.estimated), weighted: cents(g.weighted) }))
    .sort(
      (a, b) =>
        (a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1) ||
        (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0),
    );
}

export interface AmountRow {
  Currency: string;
  EstimatedAmount: number | null;
  WeightedAmount: number | null;
}

/** Sums listed opportunities per key and currency, as `groupby((key,Currency))` would. */
export function groupRows<R extends AmountRow>(rows: R[], keyOf: (row: R) => string | null): AmountGroup[] {
  const groups = new Map<string, AmountGroup>();
  for (const row of rows) {
    const key = keyOf(row);
    const id = `${key}\u0000${row.Currency}`;
    let group = groups.get(id);
    if (!group) {
      group = { key, currency: row.Currency, count: 0, estimated: 0, weighted: 0 };
      groups.set(id, group);
    }
    group.count++;
    group.estimated += row.EstimatedAmount ?? 0;
    group.weighted += row.WeightedAmount ?? 0;
  }
  return normalizeGroups([...groups.values()]);
}
