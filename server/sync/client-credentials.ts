// The sync's token for a source that wants OAuth2 client credentials: fetched with the grant
// (oauth/client-credentials.ts), kept until shortly before it expires or the source refuses it,
// its failures worded for the command line.
import { type ClientCredentials, requestClientCredentialsToken } from '../oauth/client-credentials.ts';
import { SourceError } from './source-error.ts';

export type { ClientCredentials };

/** A token is fetched again this long before it expires. */
const marginMs = 30_000;

export interface TokenSource {
  token(): Promise<string>;
  /** the source refused the token: the next call fetches a new one */
  forget(): void;
}

export function clientCredentialsTokens(
  credentials: ClientCredentials,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
): TokenSource {
  let current: { token: string; expiresAt: number } | undefined;
  const fetchToken = async () => {
    const startedAt = now();
    const answer = await requestClientCredentialsToken(credentials, fetchImpl);
    switch (answer.kind) {
      case 'unreachable':
        throw new SourceError(`Cannot reach the token URL at ${credentials.tokenUrl}: ${answer.cause}`);
      case 'no-token':
        throw new SourceError(
          `The token URL ${credentials.tokenUrl} answered without an access_token: is it the OAuth2 token endpoint?`,
        );
      case 'refused':
        throw new SourceError(
          `The token URL ${credentials.tokenUrl} refused the client credentials (${answer.reason || `HTTP ${answer.status}`}): check --client-id, --client-secret and --scope`,
        );
    }
    current = {
      token: answer.value,
      expiresAt: answer.lifetimeMs === undefined ? Number.POSITIVE_INFINITY : startedAt + answer.lifetimeMs,
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
