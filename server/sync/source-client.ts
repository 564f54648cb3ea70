// Reading a source OData service: JSON GETs with its credentials (a fixed bearer token, or
// client credentials fetched and renewed), and clear errors for what can go wrong.
import { type ClientCredentials, clientCredentialsTokens, type TokenSource } from './client-credentials.ts';
import { SourceError } from './source-error.ts';

export interface SourceOptions {
  /** the service root, e.g. https://api.tribecrm.nl/v1/odata */
  root: string;
  token?: string;
  credentials?: ClientCredentials;
  fetch?: typeof fetch;
}

export interface SourcePage {
  body: Record<string, unknown>;
  headers: Headers;
}

export interface SourceClient {
  /** the service root without a trailing slash */
  root: string;
  get(url: string, prefer?: string): Promise<SourcePage>;
  /** the entity sets the source lists (service document, else $metadata), and its clock */
  entitySets(): Promise<{ names: string[]; date?: Date }>;
}

/** The root as given, checked: an http(s) URL, without a trailing slash, query or credentials. */
export function sourceRoot(from: string): string {
  let url: URL;
  try {
    url = new URL(from);
  } catch {
    throw new SourceError(
      `--from must be the service root URL, such as https://api.tribecrm.nl/v1/odata (got ${from})`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SourceError(`--from must be an http or https URL (got ${from})`);
  if (url.username || url.password)
    throw new SourceError(
      '--from must not carry credentials: give them with --token or --client-id/--client-secret',
    );
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export function sourceClient(options: SourceOptions): SourceClient {
  const root = sourceRoot(options.root);
  const fetchImpl = options.fetch ?? fetch;
  const tokens: TokenSource | undefined = options.credentials
    ? clientCredentialsTokens(options.credentials, fetchImpl)
    : undefined;

  const send = async (url: string, prefer?: string) => {
    const token = tokens ? await tokens.token() : options.token;
    try {
      return await fetchImpl(url, {
        headers: {
          Accept: 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(prefer ? { Prefer: prefer } : {}),
        },
      });
    } catch (error) {
      throw SourceError.unreachable(url, error);
    }
  };

  const get = async (url: string, prefer?: string): Promise<SourcePage> => {
    let response = await send(url, prefer);
    if (response.status === 401 && tokens) {
      // expired early, or revoked: one new token
      await response.body?.cancel();
      tokens.forget();
      response = await send(url, prefer);
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      const how = options.credentials ? 'the token from --token-url' : options.token ? '--token' : 'no token';
      throw new SourceError(
        `The source refused the token (HTTP ${response.status} for GET ${url}; sent ${how}): check the credentials and their scope`,
        response.status,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body as { error?: { message?: string } } | undefined)?.error?.message;
      throw new SourceError(
        `GET ${url} answered HTTP ${response.status}${error ? `: ${error}` : ''}`,
        response.status,
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SourceError(
        `GET ${url} did not answer OData JSON (Content-Type ${response.headers.get('content-type') ?? 'none'}): is it an OData service?`,
      );
    }
    return { body: body as Record<string, unknown>, headers: response.headers };
  };

  const notAService = (reason: string) =>
    new SourceError(
      `${root} is not an OData service root (${reason}): give the address that lists the entity sets, such as https://api.tribecrm.nl/v1/odata`,
    );

  return {
    root,
    get,
    async entitySets() {
      let page: SourcePage;
      try {
        page = await get(root);
      } catch (error) {
        if (
          error instanceof SourceError &&
          error.status !== undefined &&
          error.status !== 401 &&
          error.status !== 403
        )
          throw notAService(error.message);
        if (error instanceof SourceError && error.message.includes('did not answer OData JSON'))
          return entitySetsFromMetadata();
        throw error;
      }
      const date = page.headers.get('date');
      const value = page.body.value;
      if (!Array.isArray(value)) throw notAService('its answer has no "value" list of entity sets');
      const names = value
        .filter((item) => item && (item.kind === undefined || item.kind === 'EntitySet'))
        .map((item) => String(item.name ?? item.url));
      return { names, date: date ? new Date(date) : undefined };
    },
  };

  /** A service whose root does not answer JSON may still describe its sets in $metadata (CSDL XML). */
  async function entitySetsFromMetadata() {
    const response = await send(`${root}/$metadata`);
    const text = await response.text();
    if (!response.ok || !text.includes('<EntitySet'))
      throw notAService(
        `neither a service document nor $metadata with entity sets (HTTP ${response.status})`,
      );
    const names = [...text.matchAll(/<EntitySet\s+Name="([^"]+)"/g)].map((m) => m[1]);
    const date = response.headers.get('date');
    return { names, date: date ? new Date(date) : undefined };
  }
}
