// Pausing and resuming a subscription (a resumed one sends the changes from then on).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { webhookKeys, webhookRequest } from './webhooks-client';
import type { Webhook, WebhookList } from './webhooks-query';

export const updateWebhook = (id: string, change: { active?: boolean; description?: string }) =>
  webhookRequest<Webhook>('PATCH', `/${encodeURIComponent(id)}`, change);

export function useUpdateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: { active?: boolean } }) => updateWebhook(id, change),
    onSuccess: (webhook) =>
      queryClient.setQueryData<WebhookList>(webhookKeys.list(), (list) =>
        list ? { ...list, value: list.value.map((w) => (w.id === webhook.id ? webhook : w)) } : list,
      ),
  });
}
