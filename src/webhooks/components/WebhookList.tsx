// The webhooks: where each sends which changes, whether it is active, how its last delivery
// went; pause or resume, delete (after asking), and its delivery log.
import { type ReactNode, useState } from 'react';
import { describeError } from '../../api/odata-error';
import { formatTimeAgo } from '../../lib/format';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Panel } from '../../ui/Page';
import { EmptyState, ErrorState, Skeleton } from '../../ui/StateViews';
import { showToast } from '../../ui/toast-store';
import { useDeleteWebhook } from '../api/use-delete-webhook';
import { useUpdateWebhook } from '../api/use-update-webhook';
import { useWebhooks, type Webhook } from '../api/webhooks-query';
import { DeliveryLog } from './DeliveryLog';
import { deliveryStatus, toneClass } from './delivery-status';

/** What a webhook is called on the page: its description, else its address. */
export const webhookName = (w: Webhook) => w.description || w.url;

export function WebhookList() {
  const webhooks = useWebhooks();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const setActive = (webhook: Webhook, active: boolean) =>
    update.mutate(
      { id: webhook.id, change: { active } },
      {
        onSuccess: () =>
          showToast(
            active ? `${webhookName(webhook)} sends changes again.` : `${webhookName(webhook)} is paused.`,
            'success',
          ),
        onError: (error) => showToast(describeError(error), 'error'),
      },
    );

  let content: ReactNode;
  if (webhooks.isPending) {
    content = (
      <div aria-busy="true" className="space-y-2">
        <span className="sr-only">Loading webhooks…</span>
        <Skeleton className="h-16" />
        <Skeleton className="h-16" />
      </div>
    );
  } else if (webhooks.isError) {
    content = (
      <ErrorState compact message={describeError(webhooks.error)} onRetry={() => webhooks.refetch()} />
    );
  } else if (webhooks.data.value.length === 0) {
    content = (
      <EmptyState title="No webhooks yet">Add one above to send changes to another service.</EmptyState>
    );
  } else {
    content = (
      <ul className="divide-y divide-slate-100" aria-label="Webhooks">
        {webhooks.data.value.map((webhook) => {
          const last = webhook.lastDelivery && deliveryStatus(webhook.lastDelivery);
          const logId = `webhook-log-${webhook.id}`;
          return (
            <li key={webhook.id} aria-label={webhookName(webhook)} className="space-y-3 py-4">
              <div className="grid gap-x-4 gap-y-2 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-start">
                <div className="min-w-0 space-y-1">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                    <span className="truncate">{webhookName(webhook)}</span>
                    <span
                      className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${webhook.active ? 'bg-emerald-50 text-emerald-800 ring-emerald-200' : 'bg-slate-100 text-slate-700 ring-slate-200'}`}
                    >
                      {webhook.active ? 'Active' : 'Paused'}
                    </span>
                  </p>
                  {webhook.description && (
                    <p className="truncate font-mono text-xs text-slate-600">{webhook.url}</p>
                  )}
                  <p className="text-xs text-slate-600">
                    {webhook.sets === null ? 'Every entity set' : webhook.sets.join(', ')}
                    {' · '}
                    {webhook.kinds.join(', ')}
                  </p>
                  <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
                    {last ? (
                      <>
                        <span className={`rounded px-1.5 py-0.5 font-medium ring-1 ${toneClass[last.tone]}`}>
                          Last delivery: {last.label}
                        </span>
                        <span>
                          {last.detail}
                          {webhook.lastDelivery?.lastAttemptAt &&
                            ` · ${formatTimeAgo(webhook.lastDelivery.lastAttemptAt)}`}
                        </span>
                      </>
                    ) : (
                      <span>Nothing sent yet</span>
                    )}
                    {webhook.pending > 0 && <span>· {webhook.pending} waiting</span>}
                    {webhook.failed > 0 && <span className="text-rose-700">· {webhook.failed} failed</span>}
                  </p>
                </div>
                <div className="flex flex-wrap gap-1 sm:justify-end">
                  <Button
                    variant="ghost"
                    aria-expanded={open === webhook.id}
                    aria-controls={logId}
                    aria-label={`Delivery log of ${webhookName(webhook)}`}
                    onClick={() => setOpen(open === webhook.id ? null : webhook.id)}
                  >
                    {open === webhook.id ? 'Hide log' : 'Delivery log'}
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={`${webhook.active ? 'Pause' : 'Resume'} ${webhookName(webhook)}`}
                    disabled={update.isPending}
                    onClick={() => setActive(webhook, !webhook.active)}
                  >
                    {webhook.active ? 'Pause' : 'Resume'}
                  </Button>
                  <Button
                    variant="ghostDanger"
                    aria-label={`Delete ${webhookName(webhook)}`}
                    onClick={() => setDeleting(webhook)}
                  >
                    Delete
                  </Button>
                </div>
              </div>
              {open === webhook.id && (
                <div id={logId}>
                  <DeliveryLog webhook={webhook} />
                </div>
              )}
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <Panel title="Webhooks">
      {content}
      {deleting && (
        <Dialog
          title={`Delete ${webhookName(deleting)}?`}
          description="No more changes are sent to it, and its delivery log is deleted with it. To stop it for a while, pause it instead."
          onClose={() => setDeleting(null)}
          footer={
            <>
              <Button onClick={() => setDeleting(null)}>Cancel</Button>
              <Button
                variant="danger"
                onClick={() => {
                  const webhook = deleting;
                  setDeleting(null);
                  remove.mutate(webhook.id, {
                    onSuccess: () => showToast(`${webhookName(webhook)} is deleted.`, 'success'),
                    onError: (error) => showToast(describeError(error), 'error'),
                  });
                }}
              >
                Delete
              </Button>
            </>
          }
        />
      )}
    </Panel>
  );
}
