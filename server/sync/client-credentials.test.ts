// The client-credentials token of a sync: one POST per token (RFC 6749 §4.4), kept until shortly
// before it expires, fetched again when the source refused it.
import { describe, expect, it } from 'vitest';
import { clientCredentialsTokens } from './client-credentials.ts';

function tokenEndpoint(lifetimeSeconds?: number) {
  const calls: { url: string; authorization: string | null; body: string }[] = [];
  const fetchToken: typeof fetch = async (input, init) => {
    calls.push({
      url: String(input),
      authorization: new Headers(init?.headers).get('authorization'),
      body: String(init?.body),
    });
    return Response.json({
      access_token: `token-${calls.length}`,
      token_type: 'bearer',
      ...(lifetimeSeconds === undefined ? {} : { expires_in: lifetimeSeconds }),
    });
  };
  return { calls, fetchToken };
}

const credentials = {
  tokenUrl: 'https://auth.example.com/oauth2/token',
  clientId: 'id:with colon',
  clientSecret: 'sécret',
  scope: 'read write offline',
};

describe('client credentials', () => {
  it('posts the grant with the client as HTTP Basic (form-encoded ID and secret) and the scope', async () => {
    const { calls, fetchToken } = tokenEndpoint(3600);
    const tokens = clientCredentialsTokens(credentials, fetchToken);
    expect(await tokens.token()).toBe('token-1');
    expect(calls).toEqual([
      {
        url: credentials.tokenUrl,
        authorization: `Basic ${Buffer.from('id%3Awith%20colon:s%C3%A9cret').toString('base64')}`,
        body: 'grant_type=client_credentials&scope=read+write+offline',
      },
    ]);
  });

  it('keeps a token until 30 s before it expires, then fetches a new one', async () => {
    const { calls, fetchToken } = tokenEndpoint(300);
    let now = 1_000_000;
    const tokens = clientCredentialsTokens(credentials, fetchToken, () => now);
    expect(await tokens.token()).toBe('token-1');
    now += 269_000;
    expect(await tokens.token()).toBe('token-1');
    now += 1_000;
    expect(await tokens.token()).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('fetches a new token once the source refused the one it has; one without expires_in is kept', async () => {
    const { calls, fetchToken } = tokenEndpoint();
    let now = 0;
    const tokens = clientCredentialsTokens(credentials, fetchToken, () => now);
    expect(await tokens.token()).toBe('token-1');
    now += 10 * 24 * 3600_000;
    expect(await tokens.token()).toBe('token-1');
    tokens.forget();
    expect(await tokens.token()).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('says when the token URL cannot be reached, or answers without a token', async () => {
    const down: typeof fetch = () =>
      Promise.reject(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }));
    await expect(clientCredentialsTokens(credentials, down).token()).rejects.toThrow(
      'Cannot reach the token URL at https://auth.example.com/oauth2/token: ENOTFOUND',
    );
    const html: typeof fetch = async () => new Response('<html>sign in</html>', { status: 200 });
    await expect(clientCredentialsTokens(credentials, html).token()).rejects.toThrow(
      'The token URL https://auth.example.com/oauth2/token answered without an access_token: is it the OAuth2 token endpoint?',
    );
  });
});
