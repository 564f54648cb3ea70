// A real OpenID provider for the single sign-on tests: panva's oidc-provider in the test process,
// on a free port of 127.0.0.1, with one confidential client (client_secret_basic, PKCE required),
// accounts the test controls, and its development login and consent pages. And a browser that
// goes through them: fetch without following redirects, with its own cookie jar.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider ships no types (and @types/oidc-provider is not installed)
import Provider from 'oidc-provider';
import type { OidcSettings } from '../people/auth-settings.ts';

export interface IdpAccount {
  /** the subject, also what one types as "login" on the provider's sign-in page */
  sub: string;
  email: string;
  email_verified: boolean | string;
  name?: string;
  /** the role claim, in the scope "profile" */
  role?: string;
  /** the claims go to userinfo only (the ID token has just `sub`), as with many providers */
  claimsInUserinfoOnly?: boolean;
}

export interface TestIdentityProvider {
  /** e.g. http://127.0.0.1:43123 */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the claim that names a person's role */
  roleClaim: string;
  /** the people the provider knows, by `sub`: add to it in tests */
  accounts: Map<string, IdpAccount>;
  /** the requests the provider got, as "GET /me" (paths without the query) */
  requests: string[];
  /** Dealdeck's SSO settings for this provider */
  settings(overrides?: Partial<OidcSettings>): OidcSettings;
  /** Registers the client with its redirect URIs (known once the services listen). */
  registerClient(redirectUris: string[]): void;
  close(): Promise<void>;
}

export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const clientId = 'dealdeck';
  const clientSecret = randomBytes(24).toString('base64url');
  const roleClaim = 'dealdeck_role';
  const accounts = new Map<string, IdpAccount>();
  const requests: string[] = [];
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    if (handle) return handle(req, res);
    res.writeHead(503).end('the client is not registered yet');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const claimsOf = (account: IdpAccount, use: 'id_token' | 'userinfo') => {
    if (use === 'id_token' && account.claimsInUserinfoOnly) return { sub: account.sub };
    return {
      sub: account.sub,
      email: account.email,
      email_verified: account.email_verified,
      name: account.name,
      ...(account.role === undefined ? {} : { [roleClaim]: account.role }),
    };
  };

  return {
    issuer,
    clientId,
    clientSecret,
    roleClaim,
    accounts,
    requests,
    settings: (overrides = {}) => ({
      issuer,
      clientId,
      clientSecret,
      label: 'Test IdP',
      defaultRole: 'rep',
      ...overrides,
    }),
    registerClient(redirectUris) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        // for every client, not only public ones (the default)
        pkce: { required: () => true },
        claims: {
          openid: ['sub'],
          email: ['email', 'email_verified'],
          profile: ['name', roleClaim],
        },
        // scope claims go into the ID token too, unless an account keeps them for userinfo
        conformIdTokenClaims: false,
        findAccount: (_ctx: unknown, sub: string) => {
          const account = accounts.get(sub);
          return (
            account && {
              accountId: sub,
              claims: async (use: 'id_token' | 'userinfo') => claimsOf(account, use),
            }
          );
        },
        jwks: { keys: [signingKey] },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        features: { devInteractions: { enabled: true } },
        // seconds (set, so that the provider does not warn about its defaults)
        ttl: {
          AccessToken: 600,
          AuthorizationCode: 60,
          Grant: 3600,
          IdToken: 600,
          Interaction: 600,
          Session: 3600,
        },
      });
      handle = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expires?: number;
}

/**
 * A browser, as far as sign-in needs one: fetch without following redirects, keeping cookies by
 * host name (as browsers do: not by port) and path, with their expiry.
 */
export class TestBrowser {
  private cookies: Cookie[] = [];

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookiesFor(target)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    if (cookie) headers.set('Cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(target, line);
    return response;
  }

  /** The value of a cookie this browser would send to the URL. */
  cookie(url: string | URL, name: string): string | undefined {
    return this.cookiesFor(new URL(url)).find((c) => c.name === name)?.value;
  }

  /** Sets a cookie as a server could have (host-only, path /...). */
  setCookie(url: string | URL, name: string, value: string, path = '/') {
    this.store(new URL(url), `${name}=${value}; Path=${path}`);
  }

  private cookiesFor(url: URL) {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter((c) => c.host === url.hostname && pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length);
  }

  private store(url: URL, line: string) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    const cookie: Cookie = { name, value, host: url.hostname, path: defaultPath(url) };
    for (const attribute of attributes) {
      const [key, ...rest] = attribute.split('=');
      const attributeValue = rest.join('=');
      switch (key.toLowerCase()) {
        case 'path':
          if (attributeValue.startsWith('/')) cookie.path = attributeValue;
          break;
        case 'max-age':
          cookie.expires = Date.now() + Number(attributeValue) * 1000;
          break;
        case 'expires':
          cookie.expires ??= Date.parse(attributeValue);
          break;
      }
    }
    this.cookies = this.cookies.filter(
      (c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path),
    );
    if (cookie.expires === undefined || cookie.expires > Date.now()) this.cookies.push(cookie);
  }
}

function pathMatches(requestPath: string, cookiePath: string) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function defaultPath(url: URL) {
  const last = url.pathname.lastIndexOf('/');
  return last <= 0 ? '/' : url.pathname.slice(0, last);
}

const attribute = (tag: string, name: string) =>
  new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1]?.replace(/&amp;/g, '&');

/**
 * Goes from the provider's authorization URL to its redirect back to the client: signs in as
 * `login` on the provider's sign-in page and agrees on its consent page when asked, or, with
 * `cancel`, cancels there. Returns the URL the provider sends the browser back to (not visited).
 */
export async function authorizeAtProvider(
  browser: TestBrowser,
  authorizationUrl: string,
  redirectUri: string,
  as: { login: string } | { cancel: true },
): Promise<URL> {
  let at = new URL(authorizationUrl);
  let response = await browser.fetch(at);
  for (let step = 0; step < 12; step++) {
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location')!, at);
      if (`${location.origin}${location.pathname}` === redirectUri) return location;
      at = location;
      response = await browser.fetch(at);
      continue;
    }
    const html = await response.text();
    const form = /<form\b[^>]*>[\s\S]*?<\/form>/.exec(html)?.[0];
    if (response.status !== 200 || !form) {
      throw new Error(`the provider answered ${response.status} at ${at.href}: ${html.slice(0, 500)}`);
    }
    if ('cancel' in as) {
      const cancel = /<a\b[^>]*>\[ Cancel \]<\/a>/.exec(html)?.[0];
      if (!cancel) throw new Error(`no Cancel link on the provider's page at ${at.href}`);
      at = new URL(attribute(cancel, 'href')!, at);
      response = await browser.fetch(at);
      continue;
    }
    const fields = new URLSearchParams();
    for (const input of form.match(/<input\b[^>]*>/g) ?? []) {
      const name = attribute(input, 'name');
      if (!name) continue;
      if (name === 'login') fields.set(name, as.login);
      else if (name === 'password') fields.set(name, 'any password');
      else fields.set(name, attribute(input, 'value') ?? '');
    }
    at = new URL(attribute(form, 'action')!, at);
    response = await browser.fetch(at, { method: 'POST', body: fields });
  }
  throw new Error(`the provider did not send the browser back to ${redirectUri}`);
}
