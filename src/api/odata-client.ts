// The one way the dashboard talks to the OData service: URLs built with odata-query (user input
// is escaped there, never concatenated), the bearer token from the settings, errors parsed into
// ODataRequestError. Works against our service and the hosted CRM alike.
import buildQuery, { type QueryOptions } from 'odata-query';
import { getSettings } from '../lib/settings-store';
import { directRefusal } from './direct-refusal';
import { errorFromResponse } from './odata-error';

export type ListOptions<T> = Partial<
  Pick<QueryOptions<T>, 'select' | 'filter' | 'expand' | 'orderBy' | 'top' | 'skip' | 'count' | 'transform'>
>;

export interface Page<T> {
  value: T[];
  count?: number;
  nextLink?: string;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function root() {
  return getSettings().baseUrl.replace(/\/+$/, '');
}

/** `Set(<guid>)`: keys are bare GUIDs; anything else is refused before it reaches a URL. */
export function entityPath(set: string, id: string) {
  if (!guidPattern.test(id)) throw new Error(`Not a record key: ${id}`);
  return `${set}(${id})`;
}

/**
 * odata-query leaves a date-time's `+01:00` offset as a bare '+', which a server may read as a
 * space (form encoding): send it as %2B.
 */
export const queryString = <T>(options: Partial<QueryOptions<T>>) =>
  buildQuery<T>(options).replace(/\+/g, '%2B');

export function listUrl<T>(set: string, options: ListOptions<T> = {}) {
  return `${root()}/${set}${queryString<T>(options)}`;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  ifMatch?: string;
  prefer?: string;
  accept?: string;
  signal?: AbortSignal;
}

async function request(url: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  const settings = getSettings();
  if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  if (options.prefer) headers.Prefer = options.prefer;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    throw directRefusal(error, settings);
  }
  if (!response.ok) throw directRefusal(await errorFromResponse(response), settings);
  return response;
}

function toPage<T>(body: Record<string, unknown>): Page<T> {
  return {
    value: (body.value as T[]) ?? [],
    count: typeof body['@odata.count'] === 'number' ? body['@odata.count'] : undefined,
    nextLink: typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined,
  };
}

export const odata = {
  async list<T>(set: string, options: ListOptions<T> = {}, signal?: AbortSignal): Promise<Page<T>> {
    const response = await request(listUrl(set, options), { signal });
    return toPage<T>(await response.json());
  },

  /** Every record of a query, following the server's @odata.nextLink pages. */
  async listAll<T>(set: string, options: ListOptions<T> = {}, signal?: AbortSignal): Promise<T[]> {
    const records: T[] = [];
    let url: string | undefined = listUrl(set, options);
    while (url) {
      // Large pages save round trips where the server allows them; it may ignore the preference.
      const response: Response = await request(url, { signal, prefer: 'odata.maxpagesize=1000' });
      const page = toPage<T>(await response.json());
      records.push(...page.value);
      url = page.nextLink ? new URL(page.nextLink, window.location.href).href : undefined;
    }
    return records;
  },

  /** The service's CSDL document, to learn what it supports (e.g. $apply) before relying on it. */
  async metadata(signal?: AbortSignal): Promise<string> {
    const response = await request(`${root()}/$metadata`, { signal, accept: 'application/xml' });
    return response.text();
  },

  async get<T>(set: string, id: string, options: ListOptions<T> = {}, signal?: AbortSignal): Promise<T> {
    const query = queryString<T>({ select: options.select, expand: options.expand });
    const response = await request(`${root()}/${entityPath(set, id)}${query}`, { signal });
    return response.json();
  },

  async create<T>(set: string, body: Record<string, unknown>): Promise<T> {
    const response = await request(`${root()}/${set}`, {
      method: 'POST',
      body,
      prefer: 'return=representation',
    });
    return response.json();
  },

  /** A partial update; with `ifMatch` the server refuses it (412) when someone else changed the record. */
  async update<T>(set: string, id: string, body: Record<string, unknown>, ifMatch?: string): Promise<T> {
    const response = await request(`${root()}/${entityPath(set, id)}`, {
      method: 'PATCH',
      body,
      ifMatch,
      prefer: 'return=representation',
    });
    // A server may answer 204 to a PATCH; the caller then refetches.
    return response.status === 204 ? (undefined as T) : response.json();
  },

  async remove(set: string, id: string, ifMatch?: string): Promise<void> {
    await request(`${root()}/${entityPath(set, id)}`, { method: 'DELETE', ifMatch });
  },
};

/** A link to another record, in the body of a write. */
export const link = (id: string | null | undefined) => (id ? { ID: id } : null);
