// Proxy mode: the OData service Dealdeck forwards /v1/odata to (UPSTREAM_URL), and the OAuth2
// client Dealdeck holds its token with (client-credentials grant). Read from the environment.

export interface UpstreamSettings {
  /** the upstream's service root, e.g. https://api.tribecrm.nl/v1/odata (no trailing slash) */
  url: string;
  /** the OAuth2 client Dealdeck signs in to the upstream with; none: requests go without a token */
  client?: UpstreamClient;
  /** milliseconds since 1970: the tests move time forward to expire a token */
  now?: () => number;
}

export interface UpstreamClient {
  /** e.g. https://auth.tribecrm.nl/oauth2/token */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** space-separated, e.g. "read write offline"; none: the server's default */
  scope?: string;
}

const httpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
  } catch {
    return false;
  }
};

/** The proxy-mode settings, or undefined without UPSTREAM_URL (Dealdeck serves its own data). */
export function readUpstreamSettings(env: NodeJS.ProcessEnv): UpstreamSettings | undefined {
  const {
    UPSTREAM_URL: url,
    UPSTREAM_TOKEN_URL: tokenUrl,
    UPSTREAM_CLIENT_ID: clientId,
    UPSTREAM_CLIENT_SECRET: clientSecret,
    UPSTREAM_SCOPE: scope,
  } = env;
  if (!url) {
    if (tokenUrl || clientId || clientSecret || scope) {
      throw new Error(
        'UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET and UPSTREAM_SCOPE are for proxy mode: set UPSTREAM_URL too (e.g. https://api.tribecrm.nl/v1/odata), or leave them out',
      );
    }
    return undefined;
  }
  if (!httpUrl(url)) {
    throw new Error(
      `UPSTREAM_URL is the OData service root to forward /v1/odata to, e.g. https://api.tribecrm.nl/v1/odata, not '${url}'`,
    );
  }
  const root = url.replace(/\/+$/, '');
  if (!tokenUrl && !clientId && !clientSecret && !scope) return { url: root };
  if (!tokenUrl || !clientId || !clientSecret) {
    throw new Error(
      'The upstream sign-in needs all three of UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET (an OAuth2 client with the client-credentials grant)',
    );
  }
  if (!httpUrl(tokenUrl)) {
    throw new Error(
      `UPSTREAM_TOKEN_URL is the OAuth2 token endpoint, e.g. https://auth.tribecrm.nl/oauth2/token, not '${tokenUrl}'`,
    );
  }
  return { url: root, client: { tokenUrl, clientId, clientSecret, scope: scope?.trim() || undefined } };
}
