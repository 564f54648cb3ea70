import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';

describe('readConfig', () => {
  it('defaults to loopback, port 8080, a SQLite file and demo data', () => {
    expect(readConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'data/dealdeck.db',
      demoData: true,
      apiToken: undefined,
      workers: 1,
    });
  });

  it('refuses a non-loopback host without API_TOKEN, and says why', () => {
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(
      /Refusing to listen on 0\.0\.0\.0 without API_TOKEN/,
    );
    expect(readConfig({ HOST: '0.0.0.0', API_TOKEN: 's3cret' }).apiToken).toBe('s3cret');
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
