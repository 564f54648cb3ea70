// The change stream across instances on one database (SQLite: a shared file, polled; PostgreSQL:
// LISTEN/NOTIFY): a write on one instance reaches the streams of another, each instance reads
// the journal once for all its subscribers, a lost LISTEN connection is made again without losing
// an entry, and closing a server does not wait for its open streams.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from '../start-server.ts';
import { createTestDatabase, type TestDatabase, testingPostgres } from '../test-support/test-database.ts';
import { request } from '../test-support/test-service.ts';
import { changesPath } from './stream-route.ts';
import { EventStreamClient } from './stream-test-client.ts';

let database: TestDatabase;
let folder: string | undefined;
let a: RunningServer;
let b: RunningServer;
/** statements on the journal table run by instance b */
let journalReadsOfB = 0;

const apiToken = 'stream-instances-test';

beforeAll(async () => {
  if (testingPostgres()) {
    database = await createTestDatabase();
  } else {
    folder = mkdtempSync(join(tmpdir(), 'dealdeck-stream-'));
    database = { url: join(folder, 'shared.db'), drop: async () => {} };
  }
  a = await startServer({ databaseUrl: database.url, demoData: false, apiToken });
  b = await startServer({
    databaseUrl: database.url,
    demoData: false,
    apiToken,
    onQuery: (text) => {
      if (/FROM "change_journal"/i.test(text) && /"Sequence" >/.test(text)) journalReadsOfB++;
    },
  });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.drop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const streams: EventStreamClient[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

async function open(server: RunningServer) {
  const stream = await EventStreamClient.open(`${server.origin}${changesPath}`, {
    Authorization: `Bearer ${apiToken}`,
  });
  streams.push(stream);
  expect(stream.response.status).toBe(200);
  await stream.until((s) => s.retry !== undefined, 5000, 'retry');
  return stream;
}

async function createDeal(server: RunningServer, subject: string) {
  const answer = await request(`${server.serviceRoot}/Activity_SalesOpportunity`, {
    method: 'POST',
    json: { Subject: subject },
    headers: { Authorization: `Bearer ${apiToken}` },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.ID as string;
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

describe('the change stream on two instances', () => {
  it('brings a write on A to the streams on B within 1 s, reading the journal once for all of them', async () => {
    const onB = await Promise.all([open(b), open(b), open(b)]);
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = journalReadsOfB;
      const started = performance.now();
      const id = await createDeal(a, `Across ${i}`);
      const events = await Promise.all(onB.map((stream) => stream.change((e) => e.id === id, 1000)));
      latencies.push(Math.max(...events.map((e) => e.at)) - started);
      // one read of the new entries serves all three streams (polls that found nothing aside)
      expect(journalReadsOfB - before).toBeLessThanOrEqual(testingPostgres() ? 1 : 3);
    }
    console.log(
      `write on A to event on B (${testingPostgres() ? 'PostgreSQL' : 'SQLite'}): median ${median(latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
    expect(b.changes.subscriberCount).toBe(3);
  });

  // PostgreSQL only: SQLite has no LISTEN connection to lose
  if (testingPostgres()) {
    it('LISTENs again after losing its connection, and reads what it missed', async () => {
      const stream = await open(b);
      const reconnects = b.changes.stats.reconnects;
      b.changes.breakListenConnection();
      // written while B may be without its connection
      const id = await createDeal(a, 'While B reconnects');
      await stream.change((e) => e.id === id, 3000);
      await expect.poll(() => b.changes.stats.reconnects, { timeout: 3000 }).toBe(reconnects + 1);
      const after = await createDeal(a, 'After B reconnected');
      await stream.change((e) => e.id === after, 1000);
    });

    it('lives on when the server ends its idle pooled connections, and opens new ones', async () => {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        await createDeal(b, 'Before the pool loses its connections');
        // end every connection of B's pool (not the LISTEN one, which has its own test)
        const ended = await sql<{ ended: boolean }>`
          SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query NOT LIKE 'LISTEN%'`.execute(
          a.store.db,
        );
        expect(ended.rows.length).toBeGreaterThan(0);
        // each pool has heard of each of its connections that ended before it is used again
        const heard = () =>
          logged.mock.calls.filter(([text]) => /PostgreSQL ended an idle connection/.test(String(text)))
            .length;
        await expect.poll(heard, { timeout: 3000 }).toBe(ended.rows.length);
        const id = await createDeal(b, 'After the pool lost its connections');
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        logged.mockRestore();
      }
    });
  }

  it('stops reading when nobody is subscribed', async () => {
    const stream = await open(b);
    stream.close();
    await expect.poll(() => b.changes.subscriberCount, { timeout: 2000 }).toBe(0);
    // no poll timer and no LISTEN connection left to wake a read
    await expect.poll(() => b.changes.watching, { timeout: 2000 }).toBe(false);
    const before = journalReadsOfB;
    await createDeal(a, 'Nobody listens');
    // a write on B itself nudges the feed: with nobody subscribed, it reads nothing
    await createDeal(b, 'Nobody listens either');
    expect(journalReadsOfB).toBe(before);
    expect(b.changes.watching).toBe(false);
  });
});

describe('closing a server with open streams', () => {
  it('ends them, also one whose client reads nothing, and closes its connection', async () => {
    const third = await startServer({ databaseUrl: database.url, demoData: false, apiToken });
    const reading = await open(third);
    const idle = net.connect(Number(new URL(third.origin).port), '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    idle.write(`GET ${changesPath} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${apiToken}\r\n\r\n`);
    idle.pause();
    await expect.poll(() => third.changes.subscriberCount, { timeout: 2000 }).toBe(2);
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));
    await third.close();
    await reading.until((s) => s.ended, 2000, 'the end');
    // the server ended the connection that read nothing, rather than waiting for its time-out:
    // reading what it was sent, the client comes to the server's end of it
    idle.resume();
    await idleClosed;
    idle.destroy();
  });
});
