// Registering a subscription: the answer carries the secret, shown this once.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { webhookKeys, webhookRequest } from './webhooks-client';
import type { ChangeKind, Webhook } from './webhooks-query';

export interface NewWebhook {
  url: string;
  sets: string[] | null;
  kinds: ChangeKind[];
  description: string;
}

export type CreatedWebhook = Webhook & { secret: string };

export const createWebhook = (webhook: NewWebhook) => webhookRequest<CreatedWebhook>('POST', '', webhook);

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createWebhook,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}
