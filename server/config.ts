// Settings from the environment, checked once at start-up.
import { defaultDatabaseUrl } from './db/database.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  demoData: boolean;
  apiToken?: string;
  /** instances behind the one port */
  workers: number;
}

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not '${env.PORT}'`);
  const host = env.HOST ?? '127.0.0.1';
  const apiToken = env.API_TOKEN || undefined;
  if (!loopback.has(host) && !host.startsWith('127.') && !apiToken) {
    throw new Error(
      `Refusing to listen on ${host} without API_TOKEN: anyone on the network could read and change the data. Set API_TOKEN=<secret> (clients then send Authorization: Bearer <secret>), or listen on 127.0.0.1.`,
    );
  }
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
    apiToken,
    workers,
  };
}
