// Settings from the environment, checked once at start-up.
import { isRole } from './access/principal.ts';
import { defaultDatabaseUrl } from './db/database.ts';
import { type AuthSettings, defaultAuthSettings, type OidcSettings } from './people/auth-settings.ts';
import { readUpstreamSettings, type UpstreamSettings } from './upstream/upstream-settings.ts';
import { parseAllowPrivate, type WebhookSettings } from './webhooks/webhook-settings.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  demoData: boolean;
  /** instances behind the one port */
  workers: number;
  auth: AuthSettings;
  /** days the change journal keeps its entries */
  journalKeepDays: number;
  /** proxy mode (UPSTREAM_URL...): /v1/odata forwarded to another OData service */
  upstream?: UpstreamSettings;
  /** webhook delivery: WEBHOOKS_ALLOW_PRIVATE, WEBHOOK_RETRY_HOURS, WEBHOOK_TIMEOUT_SECONDS */
  webhooks: Partial<WebhookSettings>;
}

export const isLoopback = (host: string) =>
  ['127.0.0.1', 'localhost', '::1'].includes(host) || host.startsWith('127.');

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not '${env.PORT}'`);
  const host = env.HOST ?? '127.0.0.1';
  const demo = (env.DEMO_DATA ?? '1').toLowerCase();
  const databaseUrl = env.DATABASE_URL || defaultDatabaseUrl;
  const workers = Number(env.WORKERS ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(`WORKERS must be a number of instances from 1 to 64, not '${env.WORKERS}'`);
  }
  if (workers > 1 && databaseUrl === ':memory:') {
    throw new Error(
      'WORKERS > 1 needs a database the instances can share: a file or PostgreSQL, not :memory:',
    );
  }
  return {
    port,
    host,
    databaseUrl,
    demoData: !['0', 'false', 'no', 'off'].includes(demo),
    workers,
    auth: readAuthSettings(env),
    journalKeepDays: positive(env, 'JOURNAL_KEEP_DAYS', 400),
    upstream: readUpstreamSettings(env),
    webhooks: {
      allowPrivate: parseAllowPrivate(env.WEBHOOKS_ALLOW_PRIVATE),
      retryWindowMs: positive(env, 'WEBHOOK_RETRY_HOURS', 24) * 3_600_000,
      timeoutMs: positive(env, 'WEBHOOK_TIMEOUT_SECONDS', 10) * 1000,
    },
  };
}

function readAuthSettings(env: NodeJS.ProcessEnv): AuthSettings {
  const repSees = env.REP_SEES ?? defaultAuthSettings.repSees;
  if (repSees !== 'all' && repSees !== 'own') {
    throw new Error(
      `REP_SEES is 'all' (reps read every deal) or 'own' (their own and unassigned ones), not '${repSees}'`,
    );
  }
  const publicUrl = env.PUBLIC_URL || undefined;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new Error(
      `PUBLIC_URL is the address browsers use, e.g. https://deals.example.com, not '${publicUrl}'`,
    );
  }
  return {
    repSees,
    apiToken: env.API_TOKEN || undefined,
    sessionIdleMs: positive(env, 'SESSION_IDLE_MINUTES', defaultAuthSettings.sessionIdleMs / 60_000) * 60_000,
    sessionAbsoluteMs:
      positive(env, 'SESSION_MAX_HOURS', defaultAuthSettings.sessionAbsoluteMs / 3_600_000) * 3_600_000,
    publicUrl,
    oidc: readOidc(env),
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number) {
  const value = Number(env[name] ?? fallback);
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`${name} must be a positive number, not '${env[name]}'`);
  return value;
}

function readOidc(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = env;
  if (!issuer && !clientId && !clientSecret) return undefined;
  if (!issuer || !clientId || !clientSecret) {
    throw new Error('Single sign-on needs all three of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  }
  const defaultRole = env.OIDC_DEFAULT_ROLE ?? 'rep';
  if (defaultRole !== 'none' && !isRole(defaultRole)) {
    throw new Error(`OIDC_DEFAULT_ROLE is rep, manager, admin or none, not '${defaultRole}'`);
  }
  return {
    issuer,
    clientId,
    clientSecret,
    label: env.OIDC_NAME || new URL(issuer).hostname,
    defaultRole,
    roleClaim: env.OIDC_ROLE_CLAIM || undefined,
  };
}
