// Board filters: read from and written to the URL (shareable, back works), and turned into
// the OData $filter. Covers the seed's filtering examples plus "my deals", sales rep, source, phase,
// currency and an expected-order-date window: the forecast uses the same filters, and a bar
// clicked there opens the board narrowed to the bar's deals through these parameters.
import { guid, raw } from 'odata-query';
import type { ODataFilter } from '../api/odata-filter';

export interface BoardFilters {
  subject?: string;
  minProbability?: number;
  minWeighted?: number;
  minEstimated?: number;
  /** expected order date on or after, `YYYY-MM-DD` */
  expectedFrom?: string;
  /** expected order date before, `YYYY-MM-DD` */
  expectedBefore?: string;
  status?: 'open' | 'closed';
  /** created on or after, `YYYY-MM-DD` */
  createdAfter?: string;
  /** only the signed-in person's deals: they are the SalesRepresentative */
  mine?: true;
  rep?: string;
  source?: string;
  phase?: string;
  /** ISO 4217 code, e.g. `EUR` */
  currency?: string;
}

export type FilterKey = keyof BoardFilters;

/** URL parameter of each filter. */
export const filterParams: Record<FilterKey, string> = {
  subject: 'q',
  minProbability: 'probability',
  minWeighted: 'weighted',
  minEstimated: 'estimated',
  expectedFrom: 'from',
  expectedBefore: 'before',
  status: 'status',
  createdAfter: 'created',
  mine: 'mine',
  rep: 'rep',
  source: 'source',
  phase: 'phase',
  currency: 'currency',
};

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const currencyPattern = /^[A-Z]{3}$/;
const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const number = (value: string | null) => {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};
const matching = (value: string | null, pattern: RegExp) =>
  value && pattern.test(value) ? value : undefined;

/** Parses the URL leniently: a hand-edited or outdated link drops what it cannot read. */
export function parseFilters(search: URLSearchParams): BoardFilters {
  const status = search.get(filterParams.status);
  const filters: BoardFilters = {
    subject: search.get(filterParams.subject)?.trim() || undefined,
    minProbability: number(search.get(filterParams.minProbability)),
    minWeighted: number(search.get(filterParams.minWeighted)),
    minEstimated: number(search.get(filterParams.minEstimated)),
    expectedFrom: matching(search.get(filterParams.expectedFrom), datePattern),
    expectedBefore: matching(search.get(filterParams.expectedBefore), datePattern),
    status: status === 'open' || status === 'closed' ? status : undefined,
    createdAfter: matching(search.get(filterParams.createdAfter), datePattern),
    mine: search.get(filterParams.mine) === '1' ? true : undefined,
    rep: matching(search.get(filterParams.rep), guidPattern),
    source: matching(search.get(filterParams.source), guidPattern),
    phase: matching(search.get(filterParams.phase), guidPattern),
    currency: matching(search.get(filterParams.currency)?.toUpperCase() ?? null, currencyPattern),
  };
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as BoardFilters;
}

export function toSearchChanges(filters: BoardFilters): Record<string, string | undefined> {
  const changes: Record<string, string | undefined> = {};
  for (const [key, param] of Object.entries(filterParams) as [FilterKey, string][]) {
    const value = filters[key];
    changes[param] = value === undefined || value === '' ? undefined : value === true ? '1' : String(value);
  }
  return changes;
}

/**
 * The OData filter object (odata-query escapes the literals). `me` is the signed-in person's
 * employee, whom "my deals" means; without one (another service, or a person who is no
 * employee) that filter is left out.
 */
export function toODataFilter(filters: BoardFilters, me?: string | null): ODataFilter {
  const parts: ODataFilter[] = [];
  if (filters.subject) parts.push({ Subject: { contains: filters.subject } });
  if (filters.minProbability !== undefined) parts.push({ Probability: { gt: filters.minProbability } });
  if (filters.minWeighted !== undefined) parts.push({ WeightedAmount: { gt: filters.minWeighted } });
  if (filters.minEstimated !== undefined) parts.push({ EstimatedAmount: { gt: filters.minEstimated } });
  if (filters.expectedFrom) parts.push({ ExpectedOrderDate: { ge: raw(filters.expectedFrom) } });
  if (filters.expectedBefore) parts.push({ ExpectedOrderDate: { lt: raw(filters.expectedBefore) } });
  if (filters.status) parts.push({ IsClosed: filters.status === 'closed' });
  if (filters.createdAfter) {
    // A day in the rep's time zone: its first instant, written with the offset the API needs.
    parts.push({ CreationDate: { ge: raw(startOfDayWithOffset(filters.createdAfter)) } });
  }
  if (filters.mine && me) parts.push({ 'SalesRepresentative/ID': { eq: guid(me) } });
  if (filters.rep) parts.push({ 'SalesRepresentative/ID': { eq: guid(filters.rep) } });
  if (filters.source) parts.push({ 'Source/ID': { eq: guid(filters.source) } });
  if (filters.phase) parts.push({ 'Phase/ID': { eq: guid(filters.phase) } });
  if (filters.currency) parts.push({ Currency: filters.currency });
  return parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { and: parts };
}

export function startOfDayWithOffset(day: string): string {
  const date = new Date(`${day}T00:00:00`);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${day}T00:00:00${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export const activeFilterCount = (filters: BoardFilters) => Object.keys(filters).length;
