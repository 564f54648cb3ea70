// A subscription's delivery log: its newest 50 changes, with state, attempts and last answer.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { webhookKeys, webhookRequest } from './webhooks-client';
import type { ChangeKind, DeliverySummary } from './webhooks-query';

export interface Delivery extends DeliverySummary {
  set: string;
  recordId: string;
  kind: ChangeKind;
  createdAt: string;
  nextAttemptAt: string | null;
  finishedAt: string | null;
}

export const fetchDeliveries = async (id: string, signal?: AbortSignal) =>
  (
    await webhookRequest<{ value: Delivery[] }>(
      'GET',
      `/${encodeURIComponent(id)}/deliveries?top=50`,
      undefined,
      signal,
    )
  ).value;

export const deliveriesQuery = (id: string) =>
  queryOptions({
    queryKey: webhookKeys.deliveries(id),
    queryFn: ({ signal }) => fetchDeliveries(id, signal),
    refetchInterval: 5_000,
  });

export const useDeliveries = (id: string) => useQuery(deliveriesQuery(id));
