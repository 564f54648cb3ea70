// What the service can do beyond the hosted CRM's dialect, learnt from its $metadata: our own
// service answers OData Data Aggregation ($apply), the hosted API does not. Features ask here
// and fall back to plain listings when a capability is missing.
import { queryOptions } from '@tanstack/react-query';
import { getSettings } from '../lib/settings-store';
import { odata } from './odata-client';
import { queryKeys } from './query-keys';

export interface ServiceCapabilities {
  /** `$apply` with filter, groupby and aggregate */
  apply: boolean;
}

const transformations = ['filter', 'groupby', 'aggregate'];

/**
 * Reads the `Aggregation.ApplySupported` annotation of the entity container. A service that
 * lists transformations without the three we use is treated as not supporting $apply. Plain
 * pattern matching rather than DOMParser, so the same code runs in the browser and in Node tests.
 */
export function capabilitiesFromMetadata(xml: string): ServiceCapabilities {
  const container = /<EntityContainer\b[\s\S]*?<\/EntityContainer>/.exec(xml)?.[0] ?? '';
  // The term may be written with the vocabulary's alias or its namespace.
  const annotation =
    /<Annotation\s+Term="(?:[\w.]+\.)?ApplySupported"\s*(?:\/>|>[\s\S]*?<\/Annotation>)/.exec(container)?.[0];
  if (!annotation) return { apply: false };
  const listed = /<PropertyValue\s+Property="Transformations"[\s\S]*?<\/PropertyValue>/.exec(annotation)?.[0];
  // Without a Transformations list the vocabulary means "all transformations".
  if (!listed) return { apply: true };
  const names = [...listed.matchAll(/<String>\s*([^<]*?)\s*<\/String>/g)].map((m) => m[1]);
  return { apply: transformations.every((t) => names.includes(t)) };
}

export const capabilitiesQuery = () => {
  const { baseUrl } = getSettings();
  return queryOptions({
    queryKey: queryKeys.capabilities(baseUrl),
    queryFn: async ({ signal }): Promise<ServiceCapabilities> => {
      try {
        return capabilitiesFromMetadata(await odata.metadata(signal));
      } catch (error) {
        if (signal.aborted) throw error;
        // No readable $metadata: assume only the hosted dialect, which every feature supports.
        return { apply: false };
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
};

/**
 * Whether Dealdeck's server answers from its own database or forwards its API to another
 * service (proxy mode, UPSTREAM_URL): GET /v1/mode on the page's own origin. A server without
 * that route (an older Dealdeck) serves its own data.
 */
export type ServiceMode = { mode: 'own' } | { mode: 'proxy'; upstream: string };

export async function fetchServiceMode(signal?: AbortSignal): Promise<ServiceMode> {
  const response = await fetch('/v1/mode', { headers: { Accept: 'application/json' }, signal });
  if (response.status === 404) return { mode: 'own' };
  if (!response.ok) throw new Error(`The server answered ${response.status} when asked for its mode`);
  const body = (await response.json()) as Partial<{ mode: string; upstream: string }>;
  return body.mode === 'proxy' && typeof body.upstream === 'string'
    ? { mode: 'proxy', upstream: body.upstream }
    : { mode: 'own' };
}

export const serviceModeQuery = () =>
  queryOptions({
    queryKey: ['service-mode'],
    queryFn: ({ signal }) => fetchServiceMode(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
