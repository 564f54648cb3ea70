// The OAuth2 client-credentials grant (RFC 6749 §4.4): one POST to the token endpoint with the
// client's ID and secret as HTTP Basic (§2.3.1, both parts form-encoded first; every server must
// accept it, and it is ORY Hydra's default). Plain fetch: no discovery needed. The callers say
// what a failure means to their users: the sync names its command-line flags, the proxy answers
// 502 with the settings to check.
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `read write offline` for the hosted CRM */
  scope?: string;
}

export type TokenAnswer =
  | { kind: 'token'; value: string /** undefined: the server did not say */; lifetimeMs?: number }
  /** no answer at all: `cause` says why in a few words (ECONNREFUSED, ENOTFOUND, ...) */
  | { kind: 'unreachable'; cause: string }
  /** an error status; `reason` is the server's error and description, when it gave them */
  | { kind: 'refused'; status: number; reason: string }
  /** a success without an access_token: not a token endpoint */
  | { kind: 'no-token' };

export async function requestClientCredentialsToken(
  client: ClientCredentials,
  fetchImpl: typeof fetch = fetch,
): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (client.scope) form.set('scope', client.scope);
  const basic = Buffer.from(
    `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
  ).toString('base64');
  let response: Response;
  try {
    response = await fetchImpl(client.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form.toString(),
    });
  } catch (error) {
    return { kind: 'unreachable', cause: causeOf(error) };
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: described by the status alone
  }
  if (!response.ok) {
    const reason = [body.error, body.error_description].filter((s) => typeof s === 'string').join(': ');
    return { kind: 'refused', status: response.status, reason };
  }
  if (typeof body.access_token !== 'string' || !body.access_token) return { kind: 'no-token' };
  const lifetimeMs = Number(body.expires_in) * 1000;
  return { kind: 'token', value: body.access_token, lifetimeMs: lifetimeMs > 0 ? lifetimeMs : undefined };
}

/** Why fetch failed, in a few words: ECONNREFUSED, ENOTFOUND, a certificate error... */
export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
