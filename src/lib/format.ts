// Display formats shared by the board and the drawer.
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number | null | undefined, currency: string, compact = false): string {
  const key = `${currency}:${compact}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', {
      style: 'currency',
      currency,
      maximumFractionDigits: compact ? 1 : 0,
      notation: compact ? 'compact' : 'standard',
    });
    moneyFormats.set(key, format);
  }
  return format.format(amount ?? 0);
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** `2026-12-31` or an ISO date-time → `31 Dec 2026`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = value.length === 10 ? new Date(`${value}T00:00:00`) : new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

/** Today as `YYYY-MM-DD` in the rep's own time zone, the unit ExpectedOrderDate is written in. */
export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** An ISO date-time → `1 Dec 2026, 10:00` in the reader's time zone. */
export function formatDateTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

const relativeFormat = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto' });

/** How long ago: `just now`, `5 minutes ago`, `yesterday`, `3 days ago`; from a week on the date. */
export function formatTimeAgo(value: string, now = new Date()): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return relativeFormat.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 24) return relativeFormat.format(-hours, 'hour');
  const days = Math.round(hours / 24);
  if (days < 7) return relativeFormat.format(-days, 'day');
  return formatDate(value);
}

/** `40` → `40%`, without a needless fraction (`12.5%` stays). */
export const formatPercent = (value: number | null | undefined) => `${Number((value ?? 0).toFixed(2))}%`;
