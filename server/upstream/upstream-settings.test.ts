import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { readUpstreamSettings } from './upstream-settings.ts';

const tribe = {
  UPSTREAM_URL: 'https://api.tribecrm.nl/v1/odata/',
  UPSTREAM_TOKEN_URL: 'https://auth.tribecrm.nl/oauth2/token',
  UPSTREAM_CLIENT_ID: 'client',
  UPSTREAM_CLIENT_SECRET: 'secret',
  UPSTREAM_SCOPE: 'read write offline',
};

describe('the proxy-mode settings', () => {
  it('are none without UPSTREAM_URL', () => {
    expect(readUpstreamSettings({})).toBeUndefined();
    expect(readConfig({}).upstream).toBeUndefined();
  });

  it('read the hosted CRM with its OAuth2 client', () => {
    expect(readConfig(tribe).upstream).toEqual({
      url: 'https://api.tribecrm.nl/v1/odata',
      client: {
        tokenUrl: 'https://auth.tribecrm.nl/oauth2/token',
        clientId: 'client',
        clientSecret: 'secret',
        scope: 'read write offline',
      },
    });
  });

  it('allow an upstream that needs no token', () => {
    expect(readUpstreamSettings({ UPSTREAM_URL: 'http://crm.internal/odata' })).toEqual({
      url: 'http://crm.internal/odata',
    });
  });

  it('refuse what cannot work, saying what to set', () => {
    expect(() => readConfig({ UPSTREAM_URL: 'api.tribecrm.nl' })).toThrow(
      "UPSTREAM_URL is the OData service root to forward /v1/odata to, e.g. https://api.tribecrm.nl/v1/odata, not 'api.tribecrm.nl'",
    );
    expect(() => readConfig({ ...tribe, UPSTREAM_CLIENT_SECRET: '' })).toThrow(
      'The upstream sign-in needs all three of UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET',
    );
    expect(() => readConfig({ ...tribe, UPSTREAM_TOKEN_URL: 'auth.tribecrm.nl' })).toThrow(
      /^UPSTREAM_TOKEN_URL is the OAuth2 token endpoint/,
    );
    expect(() => readConfig({ ...tribe, UPSTREAM_URL: '' })).toThrow(
      /are for proxy mode: set UPSTREAM_URL too/,
    );
  });
});

describe('per-person sign-in settings (UPSTREAM_SIGN_IN=person)', () => {
  const person = {
    ...tribe,
    UPSTREAM_SIGN_IN: 'person',
    UPSTREAM_AUTHORIZE_URL: 'https://auth.tribecrm.nl/oauth2/auth',
  };

  it('read the authorization endpoint, the issuer (its origin by default) and the token key', () => {
    expect(readConfig(person).upstream).toEqual({
      url: 'https://api.tribecrm.nl/v1/odata',
      client: {
        tokenUrl: 'https://auth.tribecrm.nl/oauth2/token',
        clientId: 'client',
        clientSecret: 'secret',
        scope: 'read write offline',
      },
      person: {
        authorizeUrl: 'https://auth.tribecrm.nl/oauth2/auth',
        issuer: 'https://auth.tribecrm.nl',
        tokenKey: undefined,
      },
    });
    const key = 'ab'.repeat(32);
    const withKey = readUpstreamSettings({
      ...person,
      UPSTREAM_TOKEN_KEY: key,
      UPSTREAM_ISSUER: 'https://auth.tribecrm.nl/',
    });
    expect(withKey?.person?.tokenKey).toEqual(Buffer.from(key, 'hex'));
    expect(withKey?.person?.issuer).toBe('https://auth.tribecrm.nl/');
    const base64 = Buffer.alloc(32, 9).toString('base64');
    expect(readUpstreamSettings({ ...person, UPSTREAM_TOKEN_KEY: base64 })?.person?.tokenKey).toEqual(
      Buffer.alloc(32, 9),
    );
    // "offline" by default: Hydra hands out refresh tokens for it
    expect(readUpstreamSettings({ ...person, UPSTREAM_SCOPE: '' })?.client?.scope).toBe('read write offline');
  });

  it('refuse what cannot work, saying what to set', () => {
    expect(() => readConfig({ ...person, UPSTREAM_SIGN_IN: 'people' })).toThrow(
      "UPSTREAM_SIGN_IN is 'client' (one token of Dealdeck's OAuth2 client for everyone) or 'person' (each person connects their own account in Settings), not 'people'",
    );
    expect(() => readConfig({ ...person, UPSTREAM_AUTHORIZE_URL: '' })).toThrow(
      'Per-person sign-in (UPSTREAM_SIGN_IN=person) needs UPSTREAM_AUTHORIZE_URL, the OAuth2 authorization endpoint people sign in at, e.g. https://auth.tribecrm.nl/oauth2/auth',
    );
    expect(() => readConfig({ ...person, UPSTREAM_AUTHORIZE_URL: 'auth.tribecrm.nl' })).toThrow(
      /, not 'auth\.tribecrm\.nl'$/,
    );
    expect(() => readConfig({ ...person, UPSTREAM_CLIENT_ID: '' })).toThrow(
      'Per-person sign-in (UPSTREAM_SIGN_IN=person) needs all three of UPSTREAM_TOKEN_URL, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET',
    );
    expect(() => readConfig({ ...person, UPSTREAM_TOKEN_KEY: 'short' })).toThrow(
      'UPSTREAM_TOKEN_KEY is 32 random bytes, as 64 hex digits or base64 (make one with: openssl rand -hex 32)',
    );
    expect(() => readConfig({ ...person, UPSTREAM_ISSUER: 'tribecrm' })).toThrow(
      /^UPSTREAM_ISSUER is the authorization server's issuer URL/,
    );
    expect(() =>
      readConfig({ ...tribe, UPSTREAM_AUTHORIZE_URL: 'https://auth.tribecrm.nl/oauth2/auth' }),
    ).toThrow(
      'UPSTREAM_AUTHORIZE_URL is for per-person sign-in: set UPSTREAM_SIGN_IN=person too, or leave it out',
    );
    expect(() => readConfig({ ...person, UPSTREAM_URL: '' })).toThrow(
      /are for proxy mode: set UPSTREAM_URL too/,
    );
  });
});
