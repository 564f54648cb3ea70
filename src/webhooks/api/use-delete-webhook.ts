// Deleting a subscription, with its delivery log.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { webhookKeys, webhookRequest } from './webhooks-client';
import type { WebhookList } from './webhooks-query';

export const deleteWebhook = (id: string) => webhookRequest<void>('DELETE', `/${encodeURIComponent(id)}`);

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteWebhook,
    onSuccess: (_, id) =>
      queryClient.setQueryData<WebhookList>(webhookKeys.list(), (list) =>
        list ? { ...list, value: list.value.filter((w) => w.id !== id) } : list,
      ),
  });
}
