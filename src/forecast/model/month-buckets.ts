// Expected order months. The service's $apply has no month function, so the forecast groups by
// ExpectedOrderDate (a day) and buckets the days into months here. One request covers overdue,
// the next 12 months and later, with at most one row per day and currency (a few hundred), where
// a filter() per month would cost 14 round trips; and the paging path, which has only days,
// buckets through this same function, so both paths count alike.

export interface MonthBucket {
  /** `overdue`, `YYYY-MM`, `later` or `none` */
  key: string;
  label: string;
  /** first day inside, `YYYY-MM-DD` (none for overdue and undated) */
  from?: string;
  /** first day after, `YYYY-MM-DD` (none for later and undated) */
  before?: string;
  kind: 'overdue' | 'month' | 'later' | 'none';
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthLabel = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

function firstOfMonth(year: number, month: number) {
  const date = new Date(Date.UTC(year, month, 1));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-01`;
}

/**
 * Overdue (before today), this month from today on, the 11 months after it, later, undated.
 * `today` is the rep's own day (`todayIso()`): a deal expected today is not yet overdue.
 */
export function monthBuckets(today: string): MonthBucket[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  const buckets: MonthBucket[] = [{ key: 'overdue', label: 'Overdue', before: today, kind: 'overdue' }];
  for (let i = 0; i < 12; i++) {
    const start = firstOfMonth(year, month + i);
    buckets.push({
      key: start.slice(0, 7),
      label: monthLabel.format(new Date(`${start}T00:00:00Z`)),
      from: i === 0 ? today : start,
      before: firstOfMonth(year, month + i + 1),
      kind: 'month',
    });
  }
  buckets.push({ key: 'later', label: 'Later', from: firstOfMonth(year, month + 12), kind: 'later' });
  buckets.push({ key: 'none', label: 'No date', kind: 'none' });
  return buckets;
}

/** The bucket a day falls in; days are `YYYY-MM-DD`, so they compare as strings. */
export function bucketOf(day: string | null, today: string): string {
  if (!day) return 'none';
  if (day < today) return 'overdue';
  const months =
    (Number(day.slice(0, 4)) - Number(today.slice(0, 4))) * 12 +
    Number(day.slice(5, 7)) -
    Number(today.slice(5, 7));
  return months < 12 ? day.slice(0, 7) : 'later';
}
