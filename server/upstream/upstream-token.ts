// The upstream's access token, held by the server (never sent to a browser): fetched with the
// OAuth2 client-credentials grant, renewed shortly before it expires and once after the upstream
// refuses it (revoked early, or the server restarted with new keys). One request for a token at
// a time, however many requests wait for it.
import { ODataError } from '../query/errors.ts';
import type { UpstreamClient } from './upstream-settings.ts';

interface HeldToken {
  value: string;
  /** ms since 1970; undefined: the server did not say (kept until refused) */
  expiresAt?: number;
  /** when to fetch the next one, a little before expiresAt */
  renewAt?: number;
}

/** Not the browser's fault: a Bad Gateway, with what the admin should check. */
export const credentialsRefused = (detail: string) =>
  new ODataError(
    502,
    'UpstreamRefusedCredentials',
    `The upstream refused Dealdeck's credentials (${detail}): check UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET and UPSTREAM_SCOPE`,
  );

export class UpstreamToken {
  private held?: HeldToken;
  private pending?: Promise<HeldToken>;
  /** tokens fetched so far (the tests count renewals) */
  fetched = 0;

  constructor(
    private readonly client: UpstreamClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token that is not about to expire. */
  async get(): Promise<string> {
    const held = this.held;
    if (held && (held.renewAt === undefined || this.now() < held.renewAt)) return held.value;
    return (await this.fetchOnce()).value;
  }

  /** After the upstream refused `refused`: a new token, unless another request got one already. */
  async renew(refused: string): Promise<string> {
    if (this.held && this.held.value !== refused) return this.held.value;
    this.held = undefined;
    return (await this.fetchOnce()).value;
  }

  private fetchOnce(): Promise<HeldToken> {
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async request(): Promise<HeldToken> {
    const { tokenUrl, clientId, clientSecret, scope } = this.client;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    // client_secret_basic, which every OAuth2 server must accept (RFC 6749 2.3.1): both parts
    // form-encoded before base64
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    const startedAt = this.now();
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form,
      });
    } catch (error) {
      throw new ODataError(
        502,
        'UpstreamUnreachable',
        `The upstream's token server at ${tokenUrl} cannot be reached (${causeOf(error)})`,
      );
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch {
      // described below
    }
    if (!response.ok) {
      const reason = [body.error, body.error_description].filter((s) => typeof s === 'string').join(': ');
      throw credentialsRefused(`its token server answered ${response.status}${reason ? ` ${reason}` : ''}`);
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new ODataError(
        502,
        'UpstreamTokenInvalid',
        `The upstream's token server at ${tokenUrl} answered without an access_token`,
      );
    }
    this.fetched++;
    const lifetimeMs = Number(body.expires_in) * 1000;
    const held: HeldToken = { value: body.access_token };
    if (lifetimeMs > 0) {
      held.expiresAt = startedAt + lifetimeMs;
      // renewed a little early, so that a request does not arrive with a token expired on the way
      held.renewAt = held.expiresAt - Math.min(60_000, lifetimeMs / 10);
    }
    this.held = held;
    return held;
  }
}

/** Why fetch failed, in a few words: ECONNREFUSED, ENOTFOUND, a certificate error... */
export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
