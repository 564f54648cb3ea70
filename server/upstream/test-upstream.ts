// For the proxy tests (Vitest and e2e): a hosted CRM made of real parts. Our own service plays
// the CRM's API; a real OAuth2 server (panva's oidc-provider, in this process) issues
// client-credentials tokens, and authorization codes with refresh tokens to people who sign in
// on its pages (per-person sign-in); and a small checking front, as the CRM's API gateway would be,
// accepts a request only with an active token of the expected client (asked by token
// introspection, RFC 7662) and the right scope, then forwards it to the service with the
// service's own token. Our service cannot check a foreign token itself; the front is the
// least code that lets a real token decide, and it records what reached the upstream.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
// @ts-expect-error oidc-provider ships no types (and @types/oidc-provider is not installed)
import Provider from 'oidc-provider';
import { type RunningServer, type ServerOptions, startServer } from '../start-server.ts';
import type { UpstreamSettings } from './upstream-settings.ts';

export interface UpstreamRequest {
  method: string;
  /** path and query as the front got them */
  url: string;
  headers: IncomingHttpHeaders;
  /** the body as it reached the front */
  body: string;
  /** whose token it came with (introspection's `sub`): the client's own for client credentials */
  subject?: string;
}

export interface TestUpstream {
  /** the OAuth2 server's token endpoint */
  tokenUrl: string;
  /** the client Dealdeck holds its token with (scope "read write offline") */
  client: { clientId: string; clientSecret: string };
  /** the client people connect their own accounts with (authorization code, refresh tokens) */
  personClient: { clientId: string; clientSecret: string };
  /** the provider's authorization endpoint (its login and consent pages are oidc-provider's own) */
  authorizeUrl: string;
  issuer: string;
  /** a client the provider knows but the CRM's API does not accept */
  strangerClient: { clientId: string; clientSecret: string };
  /** the CRM's service root, at the front, e.g. http://127.0.0.1:41234/v1/odata */
  root: string;
  /** the service behind the front (its own root is not the CRM's) */
  service: RunningServer;
  /** the service's own token, for tests to arrange and check data directly */
  apiToken: string;
  /** every request that reached the front */
  requests: UpstreamRequest[];
  /** the bearer tokens the front accepted */
  acceptedTokens: Set<string>;
  /**
   * tokens the front refuses (401) though the OAuth2 server still vouches for them, as an API
   * does whose keys changed: revoking an access token at oidc-provider ends its refresh token too
   */
  refusedTokens: Set<string>;
  /** people (`sub`) whose tokens the front refuses, each of them */
  refusedSubjects: Set<string>;
  /**
   * People of the CRM by their `sub` at the OAuth2 server: the front forwards their requests with
   * this personal token of the service, so that they have that person's rights there. Anyone
   * else's request goes with the service's own token (an admin's rights).
   */
  people: Map<string, string>;
  /** Dealdeck's proxy settings for this CRM */
  settings(overrides?: Partial<UpstreamSettings>): UpstreamSettings;
  /** Dealdeck's proxy settings for per-person sign-in (UPSTREAM_SIGN_IN=person) */
  personSettings(overrides?: Partial<UpstreamSettings>): UpstreamSettings;
  /** what the OAuth2 server says of a token (RFC 7662) */
  introspect(token: string): Promise<{ active: boolean; client_id?: string; scope?: string; sub?: string }>;
  /** revokes a token at the OAuth2 server (as a leaked token would be), as the client it was issued to */
  revoke(token: string, by?: { clientId: string; clientSecret: string }): Promise<void>;
  close(): Promise<void>;
}

const listen = (server: Server) =>
  new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

const basic = (client: { clientId: string; clientSecret: string }) =>
  `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;

export async function startTestUpstream(
  serviceOptions: Partial<ServerOptions> & { databaseUrl: string },
): Promise<TestUpstream> {
  const secret = () => randomBytes(24).toString('base64url');
  const client = { clientId: 'dealdeck-proxy', clientSecret: secret() };
  const strangerClient = { clientId: 'someone-else', clientSecret: secret() };
  const personClient = { clientId: 'dealdeck-people', clientSecret: secret() };
  const api = { clientId: 'crm-api', clientSecret: secret() };

  const authServer = createServer();
  const issuer = await listen(authServer);
  const provider = new Provider(issuer, {
    clients: [
      ...[client, strangerClient].map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'read write offline',
        token_endpoint_auth_method: 'client_secret_basic',
      })),
      // a "native" client: its loopback redirect URI matches on any port (RFC 8252 7.3), so
      // that Dealdeck may listen on a free one
      {
        client_id: personClient.clientId,
        client_secret: personClient.clientSecret,
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/auth/upstream/callback'],
        scope: 'read write offline',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      // the CRM's API itself: it only asks about tokens
      {
        client_id: api.clientId,
        client_secret: api.clientSecret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    scopes: ['read', 'write', 'offline'],
    features: {
      clientCredentials: { enabled: true },
      // only the CRM's API asks about tokens; a client revokes only its own
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, caller: { clientId: string }) =>
          caller.clientId === api.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, caller: { clientId: string }, token: { clientId: string }) =>
          caller.clientId === token.clientId,
      },
      // the provider's own sign-in and consent pages, driven by authorizeAtProvider in tests
      devInteractions: { enabled: true },
    },
    // anyone may sign in, as whatever `sub` they type
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    // like Hydra: "offline" brings a refresh token, which outlives the sign-in session
    issueRefreshToken: async (
      _ctx: unknown,
      c: { grantTypeAllowed(type: string): boolean },
      code: { scopes: Set<string> },
    ) => c.grantTypeAllowed('refresh_token') && code.scopes.has('offline'),
    expiresWithSession: async () => false,
    // like Hydra: every refresh hands out a new refresh token, and the old one is spent
    rotateRefreshToken: true,
    jwks: {
      keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })],
    },
    cookies: { keys: [secret()] },
    ttl: {
      ClientCredentials: 600,
      AccessToken: 600,
      AuthorizationCode: 60,
      RefreshToken: 86_400,
      Grant: 86_400,
      Interaction: 600,
      Session: 3600,
    },
  });
  authServer.on('request', provider.callback());
  const tokenUrl = `${issuer}/token`;

  const introspect = async (token: string) => {
    const response = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { Authorization: basic(api), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    return (await response.json()) as { active: boolean; client_id?: string; scope?: string; sub?: string };
  };
  const acceptedClients = new Set([client.clientId, personClient.clientId]);

  const apiToken = `crm-${randomUUID()}`;
  const requests: UpstreamRequest[] = [];
  const acceptedTokens = new Set<string>();
  const refusedTokens = new Set<string>();
  const refusedSubjects = new Set<string>();
  const people = new Map<string, string>();
  let service: RunningServer | undefined;
  const front = createServer(async (req, res) => {
    const seen: UpstreamRequest = {
      method: req.method!,
      url: req.url!,
      headers: { ...req.headers },
      body: '',
    };
    requests.push(seen);
    const refuse = (status: number, code: string, message: string) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        ...(status === 401 ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {}),
      });
      res.end(JSON.stringify({ error: { code, message } }));
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims: { active: boolean; client_id?: string; scope?: string; sub?: string } = token
      ? await introspect(token)
      : { active: false };
    seen.subject = claims.sub;
    if (
      !claims.active ||
      !acceptedClients.has(claims.client_id ?? '') ||
      refusedTokens.has(token!) ||
      refusedSubjects.has(claims.sub ?? '')
    ) {
      return refuse(401, 'InvalidToken', 'The access token is not valid for this API');
    }
    const scopes = (claims.scope ?? '').split(' ');
    const needed = req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write';
    if (!scopes.includes(needed))
      return refuse(403, 'InsufficientScope', `The token lacks the scope ${needed}`);
    acceptedTokens.add(token!);
    // the caller went away while its token was checked (a page navigating on)
    if (res.destroyed) return;
    // to the service with its own token; Host stays the front's, so its URLs name the front.
    // One connection per request (no pool): nothing stays open between the front and the
    // service once the caller is gone, so that the service can close.
    const asWhom = people.get(claims.sub ?? '') ?? apiToken;
    const headers: IncomingHttpHeaders = { ...req.headers, authorization: `Bearer ${asWhom}` };
    delete headers.connection;
    delete headers['keep-alive'];
    const forward = httpRequest(
      `${service!.origin}${req.url}`,
      { method: req.method, headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        pipeline(answer, res, () => {});
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    pipeline(req, forward, () => {});
    req.on('data', (chunk: Buffer) => {
      seen.body += chunk.toString();
    });
  });
  const frontOrigin = await listen(front);
  try {
    service = await startServer({ demoData: false, ...serviceOptions, apiToken });
  } catch (error) {
    await Promise.all([closeServer(front), closeServer(authServer)]);
    throw error;
  }
  const root = `${frontOrigin}/v1/odata`;

  return {
    tokenUrl,
    client,
    personClient,
    authorizeUrl: `${issuer}/auth`,
    issuer,
    strangerClient,
    root,
    service,
    apiToken,
    requests,
    acceptedTokens,
    refusedTokens,
    refusedSubjects,
    people,
    settings: (overrides = {}) => ({
      url: root,
      client: { tokenUrl, ...client, scope: 'read write offline' },
      ...overrides,
    }),
    personSettings: (overrides = {}) => ({
      url: root,
      client: { tokenUrl, ...personClient, scope: 'read write offline' },
      person: { authorizeUrl: `${issuer}/auth`, issuer },
      ...overrides,
    }),
    introspect,
    revoke: async (token, by = client) => {
      const response = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { Authorization: basic(by), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
      if (!response.ok) throw new Error(`revocation failed: ${response.status} ${await response.text()}`);
    },
    close: async () => {
      await Promise.all([closeServer(front), closeServer(authServer)]);
      await service!.close();
    },
  };
}
