// A subscription's delivery log: its newest 50 changes, with state, attempts and last answer.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { DeliveryView } from '../../../server/webhooks/webhook-types';
import { webhookKeys, webhookRequest } from './webhooks-client';

/** One entry of a webhook's delivery log. */
export type Delivery = DeliveryView;

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
