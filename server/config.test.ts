import type { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';

describe('readConfig', () => {
  it('defaults to loopback, port 8080, a SQLite file, demo data, reps seeing every deal', () => {
    expect(readConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'data/dealdeck.db',
      demoData: true,
      workers: 1,
      auth: {
        repSees: 'all',
        apiToken: undefined,
        sessionIdleMs: 2 * 60 * 60_000,
        sessionAbsoluteMs: 24 * 60 * 60_000,
        publicUrl: undefined,
        oidc: undefined,
      },
      journalKeepDays: 400,
      webhooks: { allowPrivate: false, retryWindowMs: 24 * 3_600_000, timeoutMs: 10_000 },
    });
  });

  it('reads the webhook settings, and refuses a WEBHOOKS_ALLOW_PRIVATE that is no address or range', () => {
    const { webhooks } = readConfig({
      WEBHOOKS_ALLOW_PRIVATE: '10.1.0.0/16, fd00::/8,192.168.1.5',
      WEBHOOK_RETRY_HOURS: '2',
      WEBHOOK_TIMEOUT_SECONDS: '3',
    });
    expect(webhooks).toMatchObject({ retryWindowMs: 2 * 3_600_000, timeoutMs: 3000 });
    const allowed = webhooks.allowPrivate as BlockList;
    expect(allowed.check('10.1.200.3', 'ipv4')).toBe(true);
    expect(allowed.check('10.2.0.1', 'ipv4')).toBe(false);
    expect(allowed.check('fd12::1', 'ipv6')).toBe(true);
    expect(allowed.check('192.168.1.5', 'ipv4')).toBe(true);
    expect(readConfig({ WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate).toBe(true);
    expect(() => readConfig({ WEBHOOKS_ALLOW_PRIVATE: 'intranet' })).toThrow(
      "WEBHOOKS_ALLOW_PRIVATE is 1 (allow every private address), 0, or a list of addresses and ranges such as 10.1.0.0/16,fd00::/8; 'intranet' is none of these",
    );
    expect(() => readConfig({ WEBHOOKS_ALLOW_PRIVATE: '10.0.0.0/33' })).toThrow("'10.0.0.0/33'");
    expect(() => readConfig({ WEBHOOK_RETRY_HOURS: '0' })).toThrow(
      'WEBHOOK_RETRY_HOURS must be a positive number',
    );
  });

  it('reads the people settings and refuses wrong ones, saying which', () => {
    const auth = readConfig({
      REP_SEES: 'own',
      API_TOKEN: 's3cret',
      SESSION_IDLE_MINUTES: '30',
      SESSION_MAX_HOURS: '8',
      PUBLIC_URL: 'https://deals.example.com',
    }).auth;
    expect(auth).toMatchObject({
      repSees: 'own',
      apiToken: 's3cret',
      sessionIdleMs: 30 * 60_000,
      sessionAbsoluteMs: 8 * 3_600_000,
      publicUrl: 'https://deals.example.com',
    });
    expect(() => readConfig({ REP_SEES: 'mine' })).toThrow(/REP_SEES is 'all'.*not 'mine'/);
    expect(() => readConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => readConfig({ PUBLIC_URL: 'deals.example.com' })).toThrow(/PUBLIC_URL/);
    expect(readConfig({ JOURNAL_KEEP_DAYS: '30' }).journalKeepDays).toBe(30);
    expect(() => readConfig({ JOURNAL_KEEP_DAYS: 'forever' })).toThrow(/JOURNAL_KEEP_DAYS/);
  });

  it('sets up single sign-on only with issuer, client ID and secret together', () => {
    const sso = readConfig({
      OIDC_ISSUER: 'https://id.example.com',
      OIDC_CLIENT_ID: 'dealdeck',
      OIDC_CLIENT_SECRET: 'x',
    }).auth.oidc;
    expect(sso).toEqual({
      issuer: 'https://id.example.com',
      clientId: 'dealdeck',
      clientSecret: 'x',
      label: 'id.example.com',
      defaultRole: 'rep',
      roleClaim: undefined,
    });
    expect(() => readConfig({ OIDC_ISSUER: 'https://id.example.com' })).toThrow(/all three/);
    expect(() =>
      readConfig({
        OIDC_ISSUER: 'https://i.example',
        OIDC_CLIENT_ID: 'a',
        OIDC_CLIENT_SECRET: 'b',
        OIDC_DEFAULT_ROLE: 'boss',
      }),
    ).toThrow(/OIDC_DEFAULT_ROLE/);
  });

  it('runs several instances only on a database they can share', () => {
    expect(readConfig({ WORKERS: '2', DATABASE_URL: 'data/x.db' }).workers).toBe(2);
    expect(() => readConfig({ WORKERS: '2', DATABASE_URL: ':memory:' })).toThrow(/share/);
    expect(() => readConfig({ WORKERS: 'many' })).toThrow(/WORKERS/);
  });

  it('reads DEMO_DATA=0 as reference data only, and rejects a bad PORT', () => {
    expect(readConfig({ DEMO_DATA: '0' }).demoData).toBe(false);
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT must be a port number/);
  });
});
