// Requests to Dealdeck's own JSON APIs beside OData (/auth, /v1/webhooks): JSON both ways, the
// session cookie sent by the browser itself (same origin), errors parsed like OData's
// ({"error":{code,message}}).
import { errorFromResponse } from './odata-error';

export type JsonMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export async function jsonRequest<T>(
  method: JsonMethod,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
