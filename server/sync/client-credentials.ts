// OAuth2 client credentials (RFC 6749 §4.4): a token from the token URL for the client's ID and
// secret, sent as HTTP Basic (§2.3.1; ORY Hydra's default), kept until shortly before it expires.
// Plain fetch: the grant is one POST, and a source need not offer OpenID discovery.
import { SourceError } from './source-error.ts';

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `read write offline` for the hosted CRM */
  scope?: string;
}

/** A token is fetched again this long before it expires. */
const marginMs = 30_000;

export interface TokenSource {
  token(): Promise<string>;
  /** the source refused the token: the next call fetches a new one */
  forget(): void;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export function clientCredentialsTokens(
  credentials: ClientCredentials,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
): TokenSource {
  let current: { token: string; expiresAt: number } | undefined;
  const fetchToken = async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scope) form.set('scope', credentials.scope);
    let response: Response;
    try {
      response = await fetchImpl(credentials.tokenUrl, {
        method: 'POST',
        headers: {
          Authorization: basic(credentials.clientId, credentials.clientSecret),
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form.toString(),
      });
    } catch (error) {
      throw SourceError.unreachable(credentials.tokenUrl, error, 'the token URL');
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch {
      // described below
    }
    if (response.ok && typeof body.access_token !== 'string') {
      throw new SourceError(
        `The token URL ${credentials.tokenUrl} answered without an access_token: is it the OAuth2 token endpoint?`,
      );
    }
    if (!response.ok || typeof body.access_token !== 'string') {
      const reason =
        typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : `HTTP ${response.status}`;
      throw new SourceError(
        `The token URL ${credentials.tokenUrl} refused the client credentials (${reason}): check --client-id, --client-secret and --scope`,
      );
    }
    const lifetime = Number(body.expires_in);
    current = {
      token: body.access_token,
      expiresAt:
        Number.isFinite(lifetime) && lifetime > 0 ? now() + lifetime * 1000 : Number.POSITIVE_INFINITY,
    };
    return current.token;
  };
  return {
    async token() {
      if (current && now() < current.expiresAt - marginMs) return current.token;
      return fetchToken();
    },
    forget() {
      current = undefined;
    },
  };
}
