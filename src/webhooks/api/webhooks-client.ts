// Requests to Dealdeck's own webhook API under /v1/webhooks (admins only).
import { type JsonMethod, jsonRequest } from '../../api/json-request';

export const webhooksRoot = '/v1/webhooks';

export const webhookRequest = <T>(method: JsonMethod, path: string, body?: unknown, signal?: AbortSignal) =>
  jsonRequest<T>(method, `${webhooksRoot}${path}`, body, signal);

/** The webhook queries, apart from the OData data. */
export const webhookKeys = {
  all: ['webhooks'] as const,
  list: () => [...webhookKeys.all, 'list'] as const,
  deliveries: (id: string) => [...webhookKeys.all, 'deliveries', id] as const,
};
