// A webhook's delivery log: its newest 50 changes, each with its state, attempts, the
// receiver's last answer (or the error) and when it was last tried or is tried next.
import { describeError } from '../../api/odata-error';
import { formatDateTime } from '../../lib/format';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { useDeliveries } from '../api/deliveries-query';
import type { Webhook } from '../api/webhooks-query';
import { deliveryStatus, toneClass } from './delivery-status';

export function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const deliveries = useDeliveries(webhook.id);
  if (deliveries.isPending) {
    return (
      <div aria-busy="true">
        <span className="sr-only">Loading the delivery log…</span>
        <Skeleton className="h-24" />
      </div>
    );
  }
  if (deliveries.isError)
    return (
      <ErrorState compact message={describeError(deliveries.error)} onRetry={() => deliveries.refetch()} />
    );
  if (deliveries.data.length === 0)
    return <p className="rounded-lg bg-slate-50 p-3 text-sm text-slate-600">No changes sent yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
      <table className="w-full text-left text-xs">
        <caption className="sr-only">
          Delivery log of {webhook.description || webhook.url}, newest first
        </caption>
        <thead className="bg-slate-50 text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              Change
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Status
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Answer
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              When
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 text-slate-800">
          {deliveries.data.map((d) => {
            const status = deliveryStatus(d);
            return (
              <tr key={d.id}>
                <td className="px-3 py-2">
                  <span className="font-medium">#{d.sequence}</span> {d.kind}{' '}
                  <span className="font-mono text-slate-600">
                    {d.set}({d.recordId.slice(0, 8)})
                  </span>
                </td>
                <td className="px-3 py-2">
                  <span
                    className={`rounded px-1.5 py-0.5 font-medium whitespace-nowrap ring-1 ${toneClass[status.tone]}`}
                  >
                    {status.label}
                  </span>
                </td>
                <td className="max-w-xs px-3 py-2 text-slate-700">{status.detail}</td>
                <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                  {d.status === 'pending' && d.nextAttemptAt
                    ? `next ${formatDateTime(d.nextAttemptAt)}`
                    : d.lastAttemptAt
                      ? formatDateTime(d.lastAttemptAt)
                      : formatDateTime(d.createdAt)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
