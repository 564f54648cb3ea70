// The webhook subscriptions with their last delivery, and the entity sets one may choose from.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { SubscriptionView } from '../../../server/webhooks/webhook-types';
import { webhookKeys, webhookRequest } from './webhooks-client';

export type { ChangeKind } from '../../../server/journal/change-kind';
export type { DeliveryStatus, DeliverySummary } from '../../../server/webhooks/webhook-types';
/** A webhook as the API lists it (never its secret). */
export type Webhook = SubscriptionView;

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
