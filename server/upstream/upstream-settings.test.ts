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
