// Tries settings before they are saved: lists the pipelines with the given address and token,
// its refusals explained as every request's are (direct-refusal.ts).
import type { Settings } from '../lib/settings-store';
import { directRefusal } from './direct-refusal';
import { sets } from './entities';
import { queryString } from './odata-client';
import { errorFromResponse } from './odata-error';

export async function pingService(settings: Pick<Settings, 'baseUrl' | 'token'>): Promise<number> {
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/${sets.Pipeline}${queryString({ select: ['ID'], top: 100 })}`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
  let response: Response;
  try {
    response = await fetch(url, { headers });
  } catch (error) {
    throw directRefusal(error, settings);
  }
  if (!response.ok) throw directRefusal(await errorFromResponse(response), settings);
  const body = (await response.json()) as { value?: unknown[] };
  if (!Array.isArray(body.value)) throw new Error('This address does not answer like an OData service.');
  return body.value.length;
}
