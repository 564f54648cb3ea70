// Several instances on one database (SQLite: a shared file; PostgreSQL): every instance runs a
// deliverer, and each change is still sent once, as the instances claim deliveries in the database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../start-server.ts';
import { createTestDatabase, type TestDatabase, testingPostgres } from '../test-support/test-database.ts';
import { request } from '../test-support/test-service.ts';
import { TestReceiver } from './test-receiver.ts';

let database: TestDatabase;
let folder: string | undefined;
let a: RunningServer;
let b: RunningServer;
let receiver: TestReceiver;
const apiToken = 'webhook-instances-test';
const auth = { Authorization: `Bearer ${apiToken}` };

beforeAll(async () => {
  if (testingPostgres()) {
    database = await createTestDatabase();
  } else {
    folder = mkdtempSync(join(tmpdir(), 'dealdeck-webhooks-'));
    database = { url: join(folder, 'shared.db'), drop: async () => {} };
  }
  const options = { databaseUrl: database.url, demoData: false, apiToken, webhooks: { allowPrivate: true } };
  a = await startServer(options);
  b = await startServer(options);
  receiver = await TestReceiver.start();
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await receiver?.close();
  await database?.drop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

it('sends each change once while two instances deliver', async () => {
  const made = await request(`${a.origin}/v1/webhooks`, {
    method: 'POST',
    headers: auth,
    json: { url: receiver.url, sets: ['Relationship_Organization'] },
  });
  expect(made.status, made.text).toBe(201);
  // b learns of the subscription at its next look (every 30 s); now, for the test
  b.webhooks!.wake();
  const attempts = { a: 0, b: 0 };
  a.webhooks!.onAttempt = () => attempts.a++;
  b.webhooks!.onAttempt = () => attempts.b++;

  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const server = i % 2 === 0 ? a : b;
    const answer = await request(`${server.serviceRoot}/Relationship_Organization`, {
      method: 'POST',
      headers: auth,
      json: { Name: `Organisation ${i}` },
    });
    expect(answer.status, answer.text).toBe(201);
    ids.push(answer.body.ID);
  }
  await receiver.until((all) => new Set(all.map((r) => r.json.id)).size === ids.length);
  await expect
    .poll(async () => {
      const log = await request(`${a.origin}/v1/webhooks/${made.body.id}/deliveries?top=100`, {
        headers: auth,
      });
      return log.body.value.filter((d: { status: string }) => d.status === 'delivered').length;
    })
    .toBe(30);
  expect(receiver.received).toHaveLength(30);
  expect(new Set(receiver.received.map((r) => r.headers['dealdeck-delivery'])).size).toBe(30);
  expect(attempts.a + attempts.b).toBe(30);
});
