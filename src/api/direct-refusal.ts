// Another service reached directly from this page (direct mode) can refuse in ways a page sees
// only as "failed to fetch" (no CORS headers) or a bare 401: every request to it (the OData
// client, Settings' connection test) explains those in plain words.
import { isOwnService } from '../lib/own-service';
import type { Settings } from '../lib/settings-store';
import { ODataRequestError } from './odata-error';

/** What a refusal by another service means, in words; errors of our own service stay as they are. */
export function directRefusal(error: unknown, settings: Pick<Settings, 'baseUrl' | 'token'>): unknown {
  if (isOwnService(settings.baseUrl)) return error;
  let host = settings.baseUrl;
  try {
    host = new URL(settings.baseUrl).host;
  } catch {
    // not an address: shown as typed
  }
  if (error instanceof TypeError) {
    return new Error(
      `${host} did not let this page read its answer: it does not allow requests from another site (no CORS headers), or it cannot be reached. Such a service can be used through Dealdeck's server instead (proxy mode: UPSTREAM_URL).`,
    );
  }
  if (error instanceof ODataRequestError && error.status === 401) {
    return new ODataRequestError(
      401,
      error.code,
      `${host} refused ${settings.token ? 'the token (401): check it, or get a new one' : 'the request (401): it needs a bearer token'}.`,
    );
  }
  return error;
}
