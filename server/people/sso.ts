// Single sign-on through OpenID Connect: authorization code with PKCE, state and nonce, by
// panva's openid-client (discovery, token exchange and ID token checks are its job). The flow's
// secrets wait in the database (any instance may get the callback), bound to the browser that
// started it by a short-lived cookie holding the state.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as oidc from 'openid-client';
import type { Store } from '../db/database.ts';
import type { OidcSettings } from './auth-settings.ts';
import { hashSecret } from './secrets.ts';

export interface SsoIdentity {
  email: string;
  emailVerified: boolean;
  name?: string;
  /** the role the identity provider names (OIDC_ROLE_CLAIM), when it names a valid one */
  role?: 'rep' | 'manager' | 'admin';
}

const flowCookie = 'dealdeck_sso';
const flowValidMs = 10 * 60_000;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function createSso(settings: OidcSettings) {
  let configuration: Promise<oidc.Configuration> | undefined;
  const configured = () => {
    configuration ??= discover(settings).catch((error: Error) => {
      configuration = undefined; // the provider may be back for the next try
      throw new Error(`the identity provider at ${settings.issuer} could not be reached (${error.message})`);
    });
    return configuration;
  };

  return {
    label: settings.label,

    async begin(c: Context, store: Store, redirectUri: string): Promise<Response> {
      const config = await configured();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const now = Date.now();
      await store.db.deleteFrom('sign_in_flow').where('ExpiresAt', '<', now).execute();
      await store.db
        .insertInto('sign_in_flow')
        .values({
          StateHash: hashSecret(state),
          CodeVerifier: codeVerifier,
          Nonce: nonce,
          ExpiresAt: now + flowValidMs,
        })
        .execute();
      setCookie(c, flowCookie, state, {
        httpOnly: true,
        sameSite: 'Lax', // sent on the provider's redirect back, a top-level navigation
        secure: redirectUri.startsWith('https:'),
        path: '/auth/sso',
        maxAge: flowValidMs / 1000,
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return c.redirect(url.href);
    },

    /** The identity the provider vouches for; throws with a reason a person can read. */
    async complete(c: Context, store: Store, redirectUri: string): Promise<SsoIdentity> {
      const config = await configured();
      const query = new URL(c.req.url).search;
      const params = new URLSearchParams(query);
      const state = getCookie(c, flowCookie);
      deleteCookie(c, flowCookie, { path: '/auth/sso' });
      // the state first, even for an error: a crafted link must not put its words on our page
      if (!state || state !== params.get('state')) {
        throw new Error(
          'this sign-in was not started in this browser, or took longer than 10 minutes: try again',
        );
      }
      const stateHash = hashSecret(state);
      const flow = (await store.db
        .selectFrom('sign_in_flow')
        .select(['CodeVerifier', 'Nonce', 'ExpiresAt'])
        .where('StateHash', '=', stateHash)
        .executeTakeFirst()) as
        | { CodeVerifier: string; Nonce: string; ExpiresAt: number | string }
        | undefined;
      // once only: of two requests with the same state, only the one that deletes the flow goes on
      const deleted = await store.db
        .deleteFrom('sign_in_flow')
        .where('StateHash', '=', stateHash)
        .executeTakeFirst();
      if (!flow || deleted.numDeletedRows !== 1n || Number(flow.ExpiresAt) < Date.now())
        throw new Error('this sign-in took too long or was used already: try again');
      if (params.has('error')) {
        throw new Error(params.get('error_description') ?? params.get('error') ?? 'the provider refused');
      }
      const tokens = await oidc
        .authorizationCodeGrant(config, new URL(`${redirectUri}${query}`), {
          pkceCodeVerifier: flow.CodeVerifier,
          expectedState: state,
          expectedNonce: flow.Nonce,
          idTokenExpected: true,
        })
        .catch(explained);
      let claims = { ...tokens.claims() } as Record<string, unknown>;
      if (
        typeof claims.email !== 'string' ||
        claims.email_verified === undefined ||
        (settings.roleClaim && claims[settings.roleClaim] === undefined)
      ) {
        // many providers put these only in userinfo (OpenID Connect 5.4: when an access token
        // is issued, the scope's claims belong there); the signed ID token's own claims win
        const userinfo = await oidc
          .fetchUserInfo(config, tokens.access_token, claims.sub as string)
          .catch(explained);
        claims = { ...userinfo, ...claims };
      }
      if (typeof claims.email !== 'string')
        throw new Error('the provider did not share an email address (scope "email")');
      const role = settings.roleClaim ? claims[settings.roleClaim] : undefined;
      return {
        email: claims.email,
        emailVerified: claims.email_verified === true || claims.email_verified === 'true',
        name: typeof claims.name === 'string' ? claims.name : undefined,
        role: role === 'rep' || role === 'manager' || role === 'admin' ? role : undefined,
      };
    },
  };
}

/** openid-client's errors, with the detail that says what went wrong (e.g. which claim); also for the upstream connection (upstream/person-grants.ts). */
export function explained(error: unknown): never {
  if (error instanceof oidc.ResponseBodyError) {
    throw new Error(`the identity provider refused: ${error.error_description ?? error.error}`);
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (error instanceof oidc.ClientError && cause instanceof Error && cause.message !== error.message) {
    throw new Error(`${error.message}: ${cause.message}`);
  }
  throw error;
}

function discover(settings: OidcSettings) {
  const issuer = new URL(settings.issuer);
  // plain HTTP only for a provider on this machine (development and tests)
  const insecure = issuer.protocol === 'http:' && loopbackHosts.has(issuer.hostname);
  return oidc.discovery(
    issuer,
    settings.clientId,
    undefined,
    oidc.ClientSecretBasic(settings.clientSecret),
    insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
}
