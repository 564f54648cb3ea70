// Per-person upstream sign-in (UPSTREAM_SIGN_IN=person): a signed-in person connects their own
// account at the upstream (OAuth2 authorization code with PKCE and state, by openid-client, as
// single sign-on does), and their proxied requests then carry their own access token. The
// tokens stay on the server (table upstream_grant, sealed with UPSTREAM_TOKEN_KEY when set);
// an access token is renewed with the refresh token shortly before it expires and once after
// the upstream refuses it, and a refresh the upstream refuses for good (invalid_grant) ends the
// connection: the person is asked to connect again.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as oidc from 'openid-client';
import { isLoopback } from '../config.ts';
import type { Store } from '../db/database.ts';
import { hashSecret } from '../people/secrets.ts';
import { explained } from '../people/sso.ts';
import { ODataError } from '../query/errors.ts';
import { openToken, sealToken } from './sealed-token.ts';
import { upstreamConnectFlowTable, upstreamGrantTable } from './upstream-grant-schema.ts';
import type { UpstreamClient, UpstreamPersonSignIn } from './upstream-settings.ts';
import { causeOf } from './upstream-token.ts';

export const connectPath = '/auth/upstream';
const flowCookie = 'dealdeck_upstream';
const flowValidMs = 10 * 60_000;
/** how long an instance may take to renew a person's tokens before another may try */
const refreshClaimMs = 30_000;
const refreshPollMs = 100;

interface Grant {
  accessToken: string;
  refreshToken?: string;
  /** ms since 1970; undefined: the upstream did not say (kept until refused) */
  renewAt?: number;
  /** the refresh token as stored (sealed or not): a renewal claims the row only while it is this */
  storedRefreshToken: string | null;
}

export interface ConnectionStatus {
  /** the upstream's host, e.g. api.tribecrm.nl: what the person connects to */
  upstream: string;
  connected: boolean;
  /** ms since 1970 */
  connectedAt?: number;
}

/** 403, not 401: the person is signed in to Dealdeck (a 401 would send them to its sign-in page). */
export const notConnected = (host: string, why: string) =>
  new ODataError(
    403,
    'UpstreamNotConnected',
    `${why}. Connect your ${host} account in Settings (Connect to ${host}); Dealdeck then sends your requests to ${host} as you.`,
  );

export class PersonGrants {
  /** refreshes so far (the tests count them) */
  refreshed = 0;
  readonly host: string;
  private readonly config: oidc.Configuration;
  private readonly refreshing = new Map<string, Promise<Grant>>();

  constructor(
    private readonly store: Store,
    upstreamUrl: string,
    private readonly client: UpstreamClient,
    private readonly person: UpstreamPersonSignIn,
    private readonly now: () => number = Date.now,
  ) {
    this.host = new URL(upstreamUrl).host;
    this.config = new oidc.Configuration(
      {
        issuer: person.issuer,
        authorization_endpoint: person.authorizeUrl,
        token_endpoint: client.tokenUrl,
      },
      client.clientId,
      undefined,
      oidc.ClientSecretBasic(client.clientSecret),
    );
    // plain HTTP only for an authorization server on this machine (development and tests)
    const tokenUrl = new URL(client.tokenUrl);
    if (tokenUrl.protocol === 'http:' && isLoopback(tokenUrl.hostname))
      oidc.allowInsecureRequests(this.config);
  }

  /** To the upstream's authorization page, with a flow bound to this browser and this person. */
  async begin(c: Context, personId: string, redirectUri: string): Promise<Response> {
    const state = oidc.randomState();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const now = Date.now();
    await this.store.db.deleteFrom(upstreamConnectFlowTable).where('ExpiresAt', '<', now).execute();
    await this.store.db
      .insertInto(upstreamConnectFlowTable)
      .values({
        StateHash: hashSecret(state),
        PersonID: personId,
        CodeVerifier: codeVerifier,
        ExpiresAt: now + flowValidMs,
      })
      .execute();
    setCookie(c, flowCookie, state, {
      httpOnly: true,
      sameSite: 'Lax', // sent on the upstream's redirect back, a top-level navigation
      secure: redirectUri.startsWith('https:'),
      path: connectPath,
      maxAge: flowValidMs / 1000,
    });
    const url = oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      scope: this.client.scope ?? 'read write offline',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    });
    return c.redirect(url.href);
  }

  /** Exchanges the code for the person's tokens and keeps them; throws with a reason a person can read. */
  async complete(c: Context, personId: string, redirectUri: string): Promise<void> {
    const query = new URL(c.req.url).search;
    const params = new URLSearchParams(query);
    const state = getCookie(c, flowCookie);
    deleteCookie(c, flowCookie, { path: connectPath });
    // the state first, even for an error: a crafted link must not put its words on our page
    if (!state || state !== params.get('state')) {
      throw new Error(
        'this connection was not started in this browser, or took longer than 10 minutes: try again',
      );
    }
    const stateHash = hashSecret(state);
    const flow = (await this.store.db
      .selectFrom(upstreamConnectFlowTable)
      .select(['PersonID', 'CodeVerifier', 'ExpiresAt'])
      .where('StateHash', '=', stateHash)
      .executeTakeFirst()) as
      | { PersonID: string; CodeVerifier: string; ExpiresAt: number | string }
      | undefined;
    // once only: of two requests with the same state, only the one that deletes the flow goes on
    const deleted = await this.store.db
      .deleteFrom(upstreamConnectFlowTable)
      .where('StateHash', '=', stateHash)
      .executeTakeFirst();
    if (!flow || deleted.numDeletedRows !== 1n || Number(flow.ExpiresAt) < Date.now())
      throw new Error('this connection took too long or was used already: try again');
    if (flow.PersonID !== personId)
      throw new Error('this connection was started by another Dealdeck sign-in: try again');
    if (params.has('error')) {
      throw new Error(params.get('error_description') ?? params.get('error') ?? `${this.host} refused`);
    }
    const startedAt = this.now();
    const tokens = await oidc
      .authorizationCodeGrant(this.config, new URL(`${redirectUri}${query}`), {
        pkceCodeVerifier: flow.CodeVerifier,
        expectedState: state,
      })
      .catch(explained);
    const connectedAt = Date.now();
    await this.store.db.deleteFrom(upstreamGrantTable).where('PersonID', '=', personId).execute();
    await this.store.db
      .insertInto(upstreamGrantTable)
      .values({ PersonID: personId, ConnectedAt: connectedAt, ...this.rowOf(personId, tokens, startedAt) })
      .execute();
  }

  async status(personId: string): Promise<ConnectionStatus> {
    const row = (await this.store.db
      .selectFrom(upstreamGrantTable)
      .select(['ConnectedAt'])
      .where('PersonID', '=', personId)
      .executeTakeFirst()) as { ConnectedAt: number | string } | undefined;
    return row
      ? { upstream: this.host, connected: true, connectedAt: Number(row.ConnectedAt) }
      : { upstream: this.host, connected: false };
  }

  /** Forgets the person's tokens (the grant at the upstream ends when they expire, or there). */
  async disconnect(personId: string): Promise<void> {
    await this.store.db.deleteFrom(upstreamGrantTable).where('PersonID', '=', personId).execute();
  }

  /** The person's access token, renewed first when it is about to expire. */
  async tokenFor(personId: string): Promise<string> {
    const grant = await this.read(personId);
    if (!grant) throw this.notConnectedYet();
    if (grant.renewAt !== undefined && this.now() >= grant.renewAt) {
      return (await this.refresh(personId, grant)).accessToken;
    }
    return grant.accessToken;
  }

  /** After the upstream refused `refused`: a renewed token, unless another request got one already. */
  async renew(personId: string, refused: string): Promise<string> {
    const grant = await this.read(personId);
    if (!grant) throw this.notConnectedYet();
    if (grant.accessToken !== refused) return grant.accessToken;
    return (await this.refresh(personId, grant)).accessToken;
  }

  /** The upstream refused a renewed token too: the connection is of no use any more. */
  async refusedForGood(personId: string): Promise<ODataError> {
    await this.disconnect(personId);
    return notConnected(
      this.host,
      `${this.host} refused your token, a renewed one too, so Dealdeck forgot it`,
    );
  }

  private notConnectedYet() {
    return notConnected(this.host, `You have not connected your ${this.host} account to Dealdeck yet`);
  }

  /**
   * One refresh per person at a time, however many of their requests wait for it: in this
   * instance by a shared promise, across instances by a claim on the row (the others wait for
   * the tokens it brings).
   */
  private refresh(personId: string, grant: Grant): Promise<Grant> {
    let pending = this.refreshing.get(personId);
    if (!pending) {
      pending = this.requestRefresh(personId, grant).finally(() => this.refreshing.delete(personId));
      this.refreshing.set(personId, pending);
    }
    return pending;
  }

  private async requestRefresh(personId: string, grant: Grant): Promise<Grant> {
    if (!grant.refreshToken) {
      await this.disconnect(personId);
      throw notConnected(
        this.host,
        `Your connection to ${this.host} has expired, and ${this.host} gave no refresh token to renew it (scope offline)`,
      );
    }
    if (!(await this.claim(personId, grant))) return this.renewedElsewhere(personId, grant);
    const startedAt = this.now();
    let tokens: oidc.TokenEndpointResponse;
    try {
      tokens = await oidc.refreshTokenGrant(this.config, grant.refreshToken);
    } catch (error) {
      await this.store.db
        .updateTable(upstreamGrantTable)
        .set({ RefreshingUntil: null })
        .where('PersonID', '=', personId)
        .execute();
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
        await this.disconnect(personId);
        throw notConnected(
          this.host,
          `Your connection to ${this.host} has ended (revoked there, or expired)`,
        );
      }
      if (error instanceof oidc.ResponseBodyError) {
        throw new ODataError(
          502,
          'UpstreamRefusedCredentials',
          `The upstream's token server refused to renew your token (${error.error}${error.error_description ? `: ${error.error_description}` : ''}): check UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET`,
        );
      }
      throw new ODataError(
        502,
        'UpstreamUnreachable',
        `The upstream's token server at ${this.client.tokenUrl} cannot be reached (${causeOf(error)}); try again later`,
      );
    }
    this.refreshed++;
    // a server that does not rotate refresh tokens keeps the one it gave
    const row = this.rowOf(
      personId,
      { ...tokens, refresh_token: tokens.refresh_token ?? grant.refreshToken },
      startedAt,
    );
    await this.store.db
      .updateTable(upstreamGrantTable)
      .set({ ...row, RefreshingUntil: null })
      .where('PersonID', '=', personId)
      .execute();
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? grant.refreshToken,
      renewAt: row.RenewAt ?? undefined,
      storedRefreshToken: row.RefreshToken,
    };
  }

  /** Claims the renewal of these tokens; false when another instance renews them, or did. */
  private async claim(personId: string, grant: Grant): Promise<boolean> {
    const now = Date.now();
    const claimed = await this.store.db
      .updateTable(upstreamGrantTable)
      .set({ RefreshingUntil: now + refreshClaimMs })
      .where('PersonID', '=', personId)
      .where('RefreshToken', '=', grant.storedRefreshToken)
      .where((eb) => eb.or([eb('RefreshingUntil', 'is', null), eb('RefreshingUntil', '<', now)]))
      .executeTakeFirst();
    return claimed.numUpdatedRows === 1n;
  }

  /** The tokens another instance is renewing (or has): waited for while its claim holds. */
  private async renewedElsewhere(personId: string, grant: Grant): Promise<Grant> {
    const giveUpAt = Date.now() + refreshClaimMs;
    for (;;) {
      const current = await this.read(personId);
      if (!current) {
        throw notConnected(
          this.host,
          `Your connection to ${this.host} has ended (revoked there, or expired)`,
        );
      }
      if (current.storedRefreshToken !== grant.storedRefreshToken) return current;
      if (Date.now() > giveUpAt || !(await this.claimHeld(personId))) {
        // its claim lapsed without new tokens: try again from the start
        return this.requestRefresh(personId, current);
      }
      await new Promise((resolve) => setTimeout(resolve, refreshPollMs));
    }
  }

  private async claimHeld(personId: string): Promise<boolean> {
    const row = (await this.store.db
      .selectFrom(upstreamGrantTable)
      .select(['RefreshingUntil'])
      .where('PersonID', '=', personId)
      .executeTakeFirst()) as { RefreshingUntil: number | string | null } | undefined;
    return !!row && row.RefreshingUntil !== null && Number(row.RefreshingUntil) >= Date.now();
  }

  private rowOf(personId: string, tokens: oidc.TokenEndpointResponse, startedAt: number) {
    const key = this.person.tokenKey;
    const lifetimeMs = Number(tokens.expires_in) * 1000;
    const expiresAt = lifetimeMs > 0 ? startedAt + lifetimeMs : null;
    return {
      AccessToken: sealToken(key, personId, tokens.access_token),
      RefreshToken: tokens.refresh_token ? sealToken(key, personId, tokens.refresh_token) : null,
      Scope: tokens.scope ?? null,
      ExpiresAt: expiresAt,
      // renewed a little early, so that a request does not arrive with a token expired on the way
      RenewAt: expiresAt === null ? null : expiresAt - Math.min(60_000, lifetimeMs / 10),
      UpdatedAt: Date.now(),
    };
  }

  private async read(personId: string): Promise<Grant | undefined> {
    const row = (await this.store.db
      .selectFrom(upstreamGrantTable)
      .select(['AccessToken', 'RefreshToken', 'RenewAt'])
      .where('PersonID', '=', personId)
      .executeTakeFirst()) as
      | { AccessToken: string; RefreshToken: string | null; RenewAt: number | string | null }
      | undefined;
    if (!row) return undefined;
    const key = this.person.tokenKey;
    const accessToken = openToken(key, personId, row.AccessToken);
    const refreshToken = row.RefreshToken === null ? undefined : openToken(key, personId, row.RefreshToken);
    if (accessToken === undefined || (row.RefreshToken !== null && refreshToken === undefined)) {
      // sealed with another UPSTREAM_TOKEN_KEY, or before it was removed: of no use now
      await this.disconnect(personId);
      return undefined;
    }
    return {
      accessToken,
      refreshToken,
      renewAt: row.RenewAt === null ? undefined : Number(row.RenewAt),
      storedRefreshToken: row.RefreshToken,
    };
  }
}
