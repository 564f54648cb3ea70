// The upstream's access token, held by the server (never sent to a browser): fetched with the
// OAuth2 client-credentials grant, renewed shortly before it expires and once after the upstream
// refuses it (revoked early, or the server restarted with new keys). One request for a token at
// a time, however many requests wait for it.
import { causeOf, requestClientCredentialsToken } from '../oauth/client-credentials.ts';
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
    const { tokenUrl } = this.client;
    const startedAt = this.now();
    const answer = await requestClientCredentialsToken(this.client);
    switch (answer.kind) {
      case 'unreachable':
        throw new ODataError(
          502,
          'UpstreamUnreachable',
          `The upstream's token server at ${tokenUrl} cannot be reached (${answer.cause})`,
        );
      case 'refused':
        throw credentialsRefused(
          `its token server answered ${answer.status}${answer.reason ? ` ${answer.reason}` : ''}`,
        );
      case 'no-token':
        throw new ODataError(
          502,
          'UpstreamTokenInvalid',
          `The upstream's token server at ${tokenUrl} answered without an access_token`,
        );
    }
    this.fetched++;
    const held: HeldToken = { value: answer.value };
    if (answer.lifetimeMs !== undefined) {
      held.expiresAt = startedAt + answer.lifetimeMs;
      // renewed a little early, so that a request does not arrive with a token expired on the way
      held.renewAt = held.expiresAt - Math.min(60_000, answer.lifetimeMs / 10);
    }
    this.held = held;
    return held;
  }
}

export { causeOf };
