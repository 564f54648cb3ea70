// The webhook subscriptions with their last delivery, and the entity sets one may choose from.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { webhookKeys, webhookRequest } from './webhooks-client';

export type ChangeKind = 'created' | 'updated' | 'deleted';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliverySummary {
  id: string;
  sequence: number;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  responseStatus: number | null;
  error: string | null;
}

export interface Webhook {
  id: string;
  url: string;
  /** null: every entity set */
  sets: string[] | null;
  kinds: ChangeKind[];
  active: boolean;
  description: string;
  createdAt: string;
  createdBy: string;
  lastDelivery: DeliverySummary | null;
  pending: number;
  failed: number;
}

export interface WebhookList {
  value: Webhook[];
  /** the entity sets a subscription may name */
  sets: string[];
}

export const fetchWebhooks = (signal?: AbortSignal) =>
  webhookRequest<WebhookList>('GET', '', undefined, signal);

export const webhooksQuery = () =>
  queryOptions({
    queryKey: webhookKeys.list(),
    queryFn: ({ signal }) => fetchWebhooks(signal),
    // the last delivery's status changes on its own
    refetchInterval: 10_000,
  });

export const useWebhooks = () => useQuery(webhooksQuery());
