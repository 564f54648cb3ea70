// Tries settings before they are saved: lists the pipelines with the given address and token.
import type { Settings } from '../lib/settings-store';
import { sets } from './entities';
import { queryString } from './odata-client';
import { errorFromResponse } from './odata-error';

export async function pingService(settings: Pick<Settings, 'baseUrl' | 'token'>): Promise<number> {
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/${sets.Pipeline}${queryString({ select: ['ID'], top: 100 })}`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
  const response = await fetch(url, { headers });
  if (!response.ok) throw await errorFromResponse(response);
  const body = (await response.json()) as { value?: unknown[] };
  if (!Array.isArray(body.value)) throw new Error('This address does not answer like an OData service.');
  return body.value.length;
}
