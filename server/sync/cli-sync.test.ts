// `npm run sync` end to end, spawned with tsx as npm runs it, into a temporary SQLite file (or,
// under DEALDECK_TEST_DB=postgres, a fresh PostgreSQL database), from a running service.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testingPostgres } from '../test-support/test-database.ts';
import { withTestService } from '../test-support/test-service.ts';

const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
const service = withTestService({ demoData: true, demoSize: 10 });

let dir: string;
let database: TestDatabase;
let url: string;

function sync(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      tsx,
      ['server/sync/cli-sync.ts', ...args],
      { env: { ...process.env, DATABASE_URL: url, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dealdeck-sync-'));
  database = await createTestDatabase();
  url = testingPostgres() ? database.url : join(dir, 'mirror.db');
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

describe('npm run sync', { timeout: 120_000 }, () => {
  it('mirrors a service, then copies only what changed through its delta links', async () => {
    const first = await sync(['--from', service.server.serviceRoot, '--page-size', '5'], {
      SYNC_TOKEN: service.apiToken,
    });
    expect(first.stderr).toMatch(
      /^Activity_SalesOpportunity: 10 records read \(in full; next run follows its delta link\), 10 written$/m,
    );
    expect(first.stderr).toMatch(/^Synced \d+ entity sets from http:\/\/127\.0\.0\.1:\d+\/v1\/odata into /m);
    expect(first.code).toBe(0);

    const deal = (await service.api('/Activity_SalesOpportunity?$top=1')).body.value[0];
    await service.api(`/Activity_SalesOpportunity(${deal.ID})`, {
      method: 'PATCH',
      json: { Subject: 'Renamed' },
    });
    const second = await sync(['--from', service.server.serviceRoot, '--token', service.apiToken]);
    expect(second.stderr).toMatch(
      /^Activity_SalesOpportunity: 1 records read \(changes through the delta link;/m,
    );
    expect(second.code).toBe(0);
  });

  it('names what is wrong: the command line, the source', async () => {
    const noFrom = await sync([]);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain('--from <service root> is required');
    const half = await sync(['--from', service.server.serviceRoot, '--client-id', 'x']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain(
      'client credentials need all of --client-id, --client-secret and --token-url',
    );
    const refused = await sync(['--from', service.server.serviceRoot, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^The source refused the token \(HTTP 401 for GET http:\/\/127\.0\.0\.1:\d+\/v1\/odata; sent --token\)/m,
    );
  });
});
