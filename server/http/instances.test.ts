// Two service instances on one database, written to at once through both: nothing either keeps
// in memory may go stale or collide (numbers, ETags, derived totals).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../start-server.ts';
import { createTestDatabase, type TestDatabase, testingPostgres } from '../test-support/test-database.ts';
import { request } from '../test-support/test-service.ts';

let database: TestDatabase;
let folder: string | undefined;
let a: RunningServer;
let b: RunningServer;

const apiToken = 'instances-test';

beforeAll(async () => {
  if (testingPostgres()) {
    database = await createTestDatabase();
  } else {
    // SQLite shares a file, not a memory database, between connections
    folder = mkdtempSync(join(tmpdir(), 'dealdeck-instances-'));
    database = { url: join(folder, 'shared.db'), drop: async () => {} };
  }
  a = await startServer({ databaseUrl: database.url, demoData: false, apiToken });
  // the second instance starts on the database the first one made and seeded
  b = await startServer({ databaseUrl: database.url, demoData: false, apiToken });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.drop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const on = (server: RunningServer, path: string, init: Parameters<typeof request>[1] = {}) =>
  request(`${server.serviceRoot}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${apiToken}`, ...(init.headers as Record<string, string>) },
  });

describe('two instances, one database', () => {
  it('number opportunities created through both uniquely', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        on(i % 2 ? a : b, '/Activity_SalesOpportunity', { method: 'POST', json: { Subject: `Race ${i}` } }),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(Array(40).fill(201));
    const numbers = created.map((r) => r.body.Number);
    expect(new Set(numbers).size).toBe(40);
  });

  it('a stale If-Match gets 412 on either instance, and exactly one of racing writers wins', async () => {
    const { body } = await on(a, '/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'Contended' },
    });
    const etag = body['@odata.etag'];
    const writes = await Promise.all(
      [a, b, a, b, a, b].map((server, i) =>
        on(server, `/Activity_SalesOpportunity(${body.ID})`, {
          method: 'PATCH',
          headers: { 'If-Match': etag },
          json: { Subject: `Writer ${i}` },
        }),
      ),
    );
    expect(writes.map((w) => w.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    for (const server of [a, b]) {
      const stale = await on(server, `/Activity_SalesOpportunity(${body.ID})`, {
        method: 'PATCH',
        headers: { 'If-Match': etag },
        json: { Subject: 'Too late' },
      });
      expect(stale.status).toBe(412);
    }
    const winner = writes.find((w) => w.status === 200)!.body;
    const [fromA, fromB] = await Promise.all([
      on(a, `/Activity_SalesOpportunity(${body.ID})`),
      on(b, `/Activity_SalesOpportunity(${body.ID})`),
    ]);
    expect(fromA.body.Subject).toBe(winner.Subject);
    expect(fromB.body['@odata.etag']).toBe(fromA.body['@odata.etag']);
  });

  it('keeps the totals right when product lines of one opportunity are written through both', async () => {
    const { body } = await on(a, '/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'Many lines' },
    });
    const lines = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        on(i % 2 ? a : b, '/ProductLine', {
          method: 'POST',
          json: {
            Activity: { ID: body.ID },
            Description: `Line ${i}`,
            Quantity: 1,
            Price: 10 * (i + 1),
            VatPercentage: 0,
          },
        }),
      ),
    );
    expect(lines.map((l) => l.status)).toEqual(Array(30).fill(201));
    // and some deleted and changed at once, through both
    await Promise.all([
      ...lines
        .slice(0, 5)
        .map((l, i) => on(i % 2 ? a : b, `/ProductLine(${l.body.ID})`, { method: 'DELETE' })),
      ...lines
        .slice(5, 10)
        .map((l, i) =>
          on(i % 2 ? b : a, `/ProductLine(${l.body.ID})`, { method: 'PATCH', json: { Quantity: 2 } }),
        ),
    ]);
    const expected = lines.slice(5).reduce((total, l, i) => total + l.body.Price * (i < 5 ? 2 : 1), 0);
    const opportunity = (await on(b, `/Activity_SalesOpportunity(${body.ID})`)).body;
    expect(opportunity.NumberOfProductLines).toBe(25);
    expect(opportunity.Amount).toBe(expected);
    expect(opportunity.TotalSalesIncludingVAT).toBe(expected);
  });
});
