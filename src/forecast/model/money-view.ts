// How amounts in several currencies become one number. Either the forecast looks at one
// currency's deals (the shared `currency` filter), or every amount is converted into the
// report currency with the rate table the manager sees and edits. A currency without a rate
// is left out and named, never added as if it were the report currency.

export interface RateTable {
  /** the report currency; its own rate is 1 */
  base: string;
  /** value of one unit of each currency in `base` */
  rates: Record<string, number>;
}

export interface MoneyView {
  /** the unit of every amount shown */
  currency: string;
  /** 1 unit of `code` in `currency`, or undefined when it cannot be converted */
  rateOf(code: string): number | undefined;
  converted: boolean;
}

export function singleCurrency(code: string): MoneyView {
  return { currency: code, rateOf: (c) => (c === code ? 1 : undefined), converted: false };
}

export function converted(table: RateTable): MoneyView {
  return {
    currency: table.base,
    rateOf: (c) => (c === table.base ? 1 : validRate(table.rates[c])),
    converted: true,
  };
}

const validRate = (rate: number | undefined) =>
  rate !== undefined && Number.isFinite(rate) && rate > 0 ? rate : undefined;

/** The same rates expressed in another report currency (needs a rate for it). */
export function rebase(table: RateTable, base: string): RateTable {
  if (base === table.base) return table;
  const pivot = validRate(table.rates[base]);
  if (!pivot) return table;
  const rates: Record<string, number> = { [table.base]: round(1 / pivot) };
  for (const [code, rate] of Object.entries(table.rates)) {
    if (code !== base && code !== table.base) rates[code] = round(rate / pivot);
  }
  return { base, rates };
}

// Six significant digits: as precise as a rate table a person types in.
const round = (n: number) => Number(n.toPrecision(6));
