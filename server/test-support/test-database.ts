// The database a test file runs against: SQLite in memory, or, in the PostgreSQL project of
// the test run (DEALDECK_TEST_DB=postgres), a fresh database on the server of TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testingPostgres = () => process.env.DEALDECK_TEST_DB === 'postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!testingPostgres()) return { url: ':memory:', drop: async () => {} };
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('DEALDECK_TEST_DB=postgres needs TEST_DATABASE_URL');
  const name = `dealdeck_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(name),
  };
}

/**
 * WITH (FORCE) ends the other sessions on the database, but a role without superuser rights may
 * not end an autovacuum worker (42501, "must be a member of the role whose process is being
 * terminated"), which the tests' bulk writes start. The worker soon moves on: try again.
 */
async function dropDatabase(name: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
