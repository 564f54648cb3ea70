// How a delivery's state reads on the page: a short label, its colour, and the detail.
import type { DeliverySummary } from '../api/webhooks-query';

export interface StatusText {
  label: string;
  tone: 'ok' | 'failed' | 'waiting';
  detail: string;
}

const answerOf = (d: DeliverySummary) =>
  d.error ?? (d.responseStatus === null ? '' : `The receiver answered ${d.responseStatus}`);

export function deliveryStatus(d: DeliverySummary): StatusText {
  const attempts = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  if (d.status === 'delivered')
    return { label: 'Delivered', tone: 'ok', detail: `${answerOf(d)} · ${attempts}` };
  if (d.status === 'failed')
    return { label: 'Failed', tone: 'failed', detail: `${answerOf(d)} · gave up after ${attempts}` };
  if (d.attempts === 0) return { label: 'Waiting', tone: 'waiting', detail: 'Not sent yet' };
  // (when it is tried next: the log's own column)
  return { label: 'Retrying', tone: 'waiting', detail: `${answerOf(d)} · ${attempts}` };
}

export const toneClass: Record<StatusText['tone'], string> = {
  ok: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  failed: 'bg-rose-50 text-rose-800 ring-rose-200',
  waiting: 'bg-amber-50 text-amber-900 ring-amber-200',
};
