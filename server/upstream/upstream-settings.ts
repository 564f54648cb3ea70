// Proxy mode: the OData service Dealdeck forwards /v1/odata to (UPSTREAM_URL), and the OAuth2
// client Dealdeck holds its token with: one token of the client-credentials grant for everyone
// (UPSTREAM_SIGN_IN=client, the default), or one per person, each got by the authorization-code
// grant when the person connects in Settings (UPSTREAM_SIGN_IN=person). Read from the environment.

export interface UpstreamSettings {
  /** the upstream's service root, e.g. https://api.tribecrm.nl/v1/odata (no trailing slash) */
  url: string;
  /** the OAuth2 client Dealdeck signs in to the upstream with; none: requests go without a token */
  client?: UpstreamClient;
  /** per-person sign-in (UPSTREAM_SIGN_IN=person): each person's requests go with their own token */
  person?: UpstreamPersonSignIn;
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

export interface UpstreamPersonSignIn {
  /** the authorization endpoint people sign in at, e.g. https://auth.tribecrm.nl/oauth2/auth */
  authorizeUrl: string;
  /** the authorization server's issuer (RFC 9207: checked when it names itself in the answer) */
  issuer: string;
  /** 32 bytes (UPSTREAM_TOKEN_KEY): the people's upstream tokens are encrypted at rest with it */
  tokenKey?: Buffer;
}

const personOnly = ['UPSTREAM_AUTHORIZE_URL', 'UPSTREAM_ISSUER', 'UPSTREAM_TOKEN_KEY'] as const;

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
    UPSTREAM_SIGN_IN: signIn = 'client',
  } = env;
  if (!url) {
    if (
      tokenUrl ||
      clientId ||
      clientSecret ||
      scope ||
      env.UPSTREAM_SIGN_IN ||
      personOnly.some((n) => env[n])
    ) {
      throw new Error(
        'UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, UPSTREAM_SCOPE, UPSTREAM_SIGN_IN and UPSTREAM_AUTHORIZE_URL are for proxy mode: set UPSTREAM_URL too (e.g. https://api.tribecrm.nl/v1/odata), or leave them out',
      );
    }
    return undefined;
  }
  if (signIn !== 'client' && signIn !== 'person') {
    throw new Error(
      `UPSTREAM_SIGN_IN is 'client' (one token of Dealdeck's OAuth2 client for everyone) or 'person' (each person connects their own account in Settings), not '${signIn}'`,
    );
  }
  if (signIn === 'client') {
    const misplaced = personOnly.find((name) => env[name]);
    if (misplaced)
      throw new Error(
        `${misplaced} is for per-person sign-in: set UPSTREAM_SIGN_IN=person too, or leave it out`,
      );
  }
  if (!httpUrl(url)) {
    throw new Error(
      `UPSTREAM_URL is the OData service root to forward /v1/odata to, e.g. https://api.tribecrm.nl/v1/odata, not '${url}'`,
    );
  }
  const root = url.replace(/\/+$/, '');
  if (signIn === 'client' && !tokenUrl && !clientId && !clientSecret && !scope) return { url: root };
  if (!tokenUrl || !clientId || !clientSecret) {
    throw new Error(
      signIn === 'person'
        ? 'Per-person sign-in (UPSTREAM_SIGN_IN=person) needs all three of UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET (an OAuth2 client with the authorization-code and refresh-token grants)'
        : 'The upstream sign-in needs all three of UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET (an OAuth2 client with the client-credentials grant)',
    );
  }
  if (!httpUrl(tokenUrl)) {
    throw new Error(
      `UPSTREAM_TOKEN_URL is the OAuth2 token endpoint, e.g. https://auth.tribecrm.nl/oauth2/token, not '${tokenUrl}'`,
    );
  }
  const client = { tokenUrl, clientId, clientSecret, scope: scope?.trim() || undefined };
  if (signIn === 'client') return { url: root, client };
  return {
    url: root,
    // without "offline", Hydra hands out no refresh token: a person would connect again every hour
    client: { ...client, scope: client.scope ?? 'read write offline' },
    person: readPersonSignIn(env),
  };
}

function readPersonSignIn(env: NodeJS.ProcessEnv): UpstreamPersonSignIn {
  const { UPSTREAM_AUTHORIZE_URL: authorizeUrl, UPSTREAM_ISSUER: issuer, UPSTREAM_TOKEN_KEY: key } = env;
  if (!authorizeUrl || !httpUrl(authorizeUrl)) {
    throw new Error(
      `Per-person sign-in (UPSTREAM_SIGN_IN=person) needs UPSTREAM_AUTHORIZE_URL, the OAuth2 authorization endpoint people sign in at, e.g. https://auth.tribecrm.nl/oauth2/auth${authorizeUrl ? `, not '${authorizeUrl}'` : ''}`,
    );
  }
  if (issuer !== undefined && !httpUrl(issuer)) {
    throw new Error(
      `UPSTREAM_ISSUER is the authorization server's issuer URL, e.g. https://auth.tribecrm.nl/, not '${issuer}'`,
    );
  }
  return {
    authorizeUrl,
    issuer: issuer || new URL(authorizeUrl).origin,
    tokenKey: key ? readTokenKey(key) : undefined,
  };
}

/** 32 bytes as 64 hex digits or as base64 (openssl rand -hex 32, or -base64 32). */
function readTokenKey(value: string): Buffer {
  const trimmed = value.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (bytes?.length !== 32) {
    throw new Error(
      'UPSTREAM_TOKEN_KEY is 32 random bytes, as 64 hex digits or base64 (make one with: openssl rand -hex 32)',
    );
  }
  return bytes;
}
