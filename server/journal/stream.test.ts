// The change stream (GET /v1/changes) on SQLite and PostgreSQL: live entries, replay from
// Last-Event-ID, reset after pruning, access rules (REP_SEES=own), heartbeats and the drop of a
// client that does not read.
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { model } from '../model/model.ts';
import { updatePerson } from '../people/people.ts';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { withTestService } from '../test-support/test-service.ts';
import { appendChanges, journalReach, pruneJournal, systemActor } from './journal.ts';
import { changesPath } from './stream-route.ts';
import { EventStreamClient } from './stream-test-client.ts';

const service = withTestService({
  demoData: false,
  auth: { repSees: 'own' },
  // small pages: a replay of the slow client's 96 entries of 100 KB takes several
  changeStream: { heartbeatMs: 150, recheckMs: 150, pageSize: 20 },
});

const streams: EventStreamClient[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

const changesUrl = () => `${service.server.origin}${changesPath}`;

async function open(token = service.apiToken, headers: Record<string, string> = {}, query = '') {
  const stream = await EventStreamClient.open(`${changesUrl()}${query}`, {
    Authorization: `Bearer ${token}`,
    ...headers,
  });
  streams.push(stream);
  expect(stream.response.status).toBe(200);
  // the stream is set up once its first line (retry) has arrived
  await stream.until((s) => s.retry !== undefined, 5000, 'retry');
  return stream;
}

const newest = async () => (await journalReach(service.server.store)).newest;

async function createDeal(json: Record<string, unknown>, as = service.apiToken) {
  const answer = await service.api('/Activity_SalesOpportunity', { method: 'POST', json, as });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.ID as string;
}

describe('the change stream', () => {
  it('refuses a request without credentials (401), with the headers of a stream otherwise', async () => {
    const refused = await fetch(changesUrl());
    expect(refused.status).toBe(401);
    expect(refused.headers.get('WWW-Authenticate')).toBe('Bearer');
    const stream = await open();
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toBe('no-cache');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.retry).toBe(2000);
    const bad = await fetch(changesUrl(), {
      headers: { Authorization: `Bearer ${service.apiToken}`, 'Last-Event-ID': 'abc' },
    });
    expect(bad.status).toBe(400);
  });

  it('opens for the session cookie of the dashboard from any origin (a GET), and answers CORS preflights', async () => {
    const password = 'stream-cookie-password-1';
    const { person } = await addTestPerson(service, 'manager', 'Cleo Cookie', password);
    const signIn = await fetch(`${service.server.origin}/auth/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: service.server.origin },
      body: JSON.stringify({ email: person.email, password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('dealdeck_session='))!
      .split(';')[0];
    const stream = await EventStreamClient.open(changesUrl(), {
      Cookie: cookie,
      Origin: 'https://elsewhere.example',
    });
    streams.push(stream);
    expect(stream.response.status).toBe(200);
    const id = await createDeal({ Subject: 'Seen through a cookie' });
    await stream.change((e) => e.id === id, 1000);
    const preflight = await fetch(changesUrl(), {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://elsewhere.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization,last-event-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('shows a write through the API within 1 s, from now on without replay', async () => {
    await createDeal({ Subject: 'Before the stream' });
    const stream = await open();
    const started = performance.now();
    const id = await createDeal({ Subject: 'Live deal' });
    const event = await stream.change((e) => e.id === id, 1000);
    const entry = JSON.parse(event.data);
    expect(entry).toMatchObject({ set: 'Activity_SalesOpportunity', kind: 'created', id });
    expect(entry.changes.Subject).toEqual([null, 'Live deal']);
    expect(event.id).toBe(String(entry.sequence));
    console.log(`write to event: ${(event.at - started).toFixed(0)} ms (request included)`);
    // nothing from before the stream opened
    expect(stream.changes.some((e) => e.changes.Subject?.[1] === 'Before the stream')).toBe(false);
  });

  it('replays the entries after Last-Event-ID (or ?after=), then goes on live', async () => {
    const from = await newest();
    const first = await createDeal({ Subject: 'Replay 1' });
    const second = await createDeal({ Subject: 'Replay 2' });
    const later: string[] = [];
    for (const resume of [{ headers: { 'Last-Event-ID': String(from) } }, { query: `?after=${from}` }]) {
      const stream = await open(service.apiToken, resume.headers, resume.query);
      await stream.change((e) => e.id === second, 2000);
      if (later.length > 0) await stream.change((e) => e.id === later.at(-1), 2000);
      expect(stream.changes.map((e) => e.id)).toEqual([first, second, ...later]);
      const third = await createDeal({ Subject: 'Replay 3' });
      later.push(third);
      await stream.change((e) => e.id === third, 1000);
      const sequences = stream.changes.map((e) => e.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(new Set(sequences).size).toBe(sequences.length);
    }
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const stream = await open();
    await stream.until((s) => s.comments.includes('keep-alive'), 2000, 'a heartbeat');
  });
});

describe('access (REP_SEES=own)', () => {
  let anna: TestPerson;
  let bob: TestPerson;
  let manager: TestPerson;

  beforeAll(async () => {
    anna = await addTestPerson(service, 'rep', 'Anna Stream');
    bob = await addTestPerson(service, 'rep', 'Bob Stream');
    manager = await addTestPerson(service, 'manager', 'Mia Stream');
  });

  const owner = (rep: TestPerson | null) => ({
    SalesRepresentative: rep ? { ID: rep.person.employeeId } : null,
  });

  it("sends a rep their own and unassigned deals, not another rep's, nor its parts", async () => {
    const annas = await open(anna.token);
    const managers = await open(manager.token);
    const bobsDeal = await createDeal({ Subject: 'Bob only', ...owner(bob) }, manager.token);
    const line = await service.api('/ProductLine', {
      method: 'POST',
      json: { Description: 'Line of Bob', Price: 10, Activity: { ID: bobsDeal } },
    });
    expect(line.status, line.text).toBe(201);
    await service.api(`/ProductLine(${line.body.ID})`, { method: 'PATCH', json: { Price: 12 } });
    await service.api(`/Activity_SalesOpportunity(${bobsDeal})`, { method: 'DELETE' });
    const annasDeal = await createDeal({ Subject: 'Anna owns', ...owner(anna) }, manager.token);
    const nobodys = await createDeal({ Subject: 'Nobody owns', ...owner(null) }, manager.token);
    await annas.change((e) => e.id === nobodys, 2000);
    expect(annas.changes.map((e) => [e.id, e.kind])).toEqual([
      [annasDeal, 'created'],
      [nobodys, 'created'],
    ]);
    // the manager sees it all: Bob's deal, its line (created, updated, deleted with the deal)
    await managers.change((e) => e.id === nobodys, 2000);
    const seen = managers.changes.map((e) => e.id);
    expect(seen).toContain(bobsDeal);
    expect(seen.filter((id) => id === line.body.ID).length).toBeGreaterThanOrEqual(3);
  });

  it("sends 'removed' when their deal goes to another rep, and the deal when it comes to them", async () => {
    const deal = await createDeal(
      { Subject: 'Moving deal', EstimatedAmount: 100, ...owner(anna) },
      manager.token,
    );
    const annas = await open(anna.token);
    const bobs = await open(bob.token);
    const move = (to: TestPerson, extra: Record<string, unknown> = {}) =>
      service.api(`/Activity_SalesOpportunity(${deal})`, {
        method: 'PATCH',
        json: { ...owner(to), ...extra },
        as: manager.token,
      });
    expect((await move(bob, { EstimatedAmount: 200 })).status).toBe(200);
    const removed = JSON.parse((await annas.change((e) => e.id === deal, 2000)).data);
    // the board drops the card, and learns nothing of the deal's new owner or amount
    expect(removed).toMatchObject({ id: deal, kind: 'removed', changes: {} });
    const arrived = JSON.parse((await bobs.change((e) => e.id === deal, 2000)).data);
    expect(arrived.kind).toBe('updated');
    expect(arrived.changes.SalesRepresentative).toEqual([anna.person.employeeId, bob.person.employeeId]);
    // Bob's edits are not Anna's to see; back with Anna, she sees it again
    await service.api(`/Activity_SalesOpportunity(${deal})`, {
      method: 'PATCH',
      json: { Subject: 'Bob renamed it' },
      as: bob.token,
    });
    await bobs.change((e) => e.id === deal && e.changes.Subject, 2000);
    expect((await move(anna)).status).toBe(200);
    const back = await annas.change((e) => e.id === deal && e.kind === 'updated', 2000);
    expect(JSON.parse(back.data).changes.SalesRepresentative[1]).toBe(anna.person.employeeId);
    expect(annas.changes.filter((e) => e.id === deal).map((e) => e.kind)).toEqual(['removed', 'updated']);
    const bobsRemoved = await bobs.change((e) => e.id === deal && e.kind === 'removed', 2000);
    expect(JSON.parse(bobsRemoved.data).changes).toEqual({});
  });

  it("sends the parts of a rep's own deals, and parts of no deal", async () => {
    const annas = await open(anna.token);
    const deal = await createDeal({ Subject: 'Anna with a line', ...owner(anna) }, manager.token);
    const line = await service.api('/ProductLine', {
      method: 'POST',
      json: { Description: 'Line of Anna', Price: 5, Activity: { ID: deal } },
    });
    const loose = await service.api('/TimeRegistration', {
      method: 'POST',
      json: { Date: '2026-05-04', Hours: 1 },
    });
    expect([line.status, loose.status]).toEqual([201, 201]);
    await annas.change((e) => e.id === loose.body.ID, 2000);
    const seen = annas.changes.map((e) => e.id);
    expect(seen).toContain(deal);
    expect(seen).toContain(line.body.ID);
  });

  it('ends a stream whose person is deactivated or changes role; it cannot reopen without access', async () => {
    // people need an active admin left to manage them
    await addTestPerson(service, 'admin', 'Ada Stream');
    const carl = await addTestPerson(service, 'rep', 'Carl Stream');
    const first = await open(carl.token);
    await updatePerson(service.server.store, carl.person.id, { role: 'manager' });
    await first.until((s) => s.ended, 2000, 'the end of the stream');
    // reopened with the new role: the manager's view
    const second = await open(carl.token);
    await updatePerson(service.server.store, carl.person.id, { active: false });
    await second.until((s) => s.ended, 2000, 'the end of the stream');
    const refused = await fetch(changesUrl(), { headers: { Authorization: `Bearer ${carl.token}` } });
    expect(refused.status).toBe(401);
  });

  it('judges replayed entries by the same rules', async () => {
    const from = await newest();
    const hidden = await createDeal({ Subject: 'Hidden in replay', ...owner(bob) }, manager.token);
    const shown = await createDeal({ Subject: 'Shown in replay', ...owner(anna) }, manager.token);
    const annas = await open(anna.token, { 'Last-Event-ID': String(from) });
    await annas.change((e) => e.id === shown, 2000);
    expect(annas.changes.map((e) => e.id)).not.toContain(hidden);
  });
});

describe('a slow client', () => {
  it('is dropped when its buffer is full, without holding back the others, and resumes', async () => {
    const { store, changes } = service.server;
    const from = await newest();
    const fast = await open();
    // a client that sends its request and then reads nothing
    const slow = net.connect(Number(new URL(service.server.origin).port), '127.0.0.1');
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.write(
      `GET ${changesPath} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${service.apiToken}\r\n\r\n`,
    );
    slow.pause();
    const subscribed = changes.subscriberCount;
    await expect.poll(() => changes.subscriberCount, { timeout: 2000 }).toBe(subscribed + 1);
    const dropped = changes.stats.dropped;
    // rounds of 800 KB (under the 1 MiB limit): a client that reads keeps up with each; the one
    // that does not fills its connection (a few MB on loopback), then its buffer
    const pipeline = model.get('Pipeline')!;
    const big = (i: number) => `${i}:${'x'.repeat(100_000)}`;
    const rounds = 12;
    let slowest = 0;
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      await store.transaction((tx) =>
        appendChanges(
          tx,
          Array.from({ length: 8 }, (_, i) => ({
            actor: systemActor,
            type: pipeline,
            id: `big-${round}-${i}`,
            kind: 'updated' as const,
            changes: { Name: [null, big(i)] },
            at: new Date().toISOString(),
          })),
        ),
      );
      changes.nudge();
      await fast.change((e) => e.id === `big-${round}-7`, 1000);
      slowest = Math.max(slowest, performance.now() - started);
    }
    console.log(
      `800 KB of entries to a reading client beside one that does not read: at most ${slowest.toFixed(0)} ms`,
    );
    expect(fast.changes.filter((e) => e.id.startsWith('big-'))).toHaveLength(rounds * 8);
    // dropped at the next batch or heartbeat that finds its buffer still full
    await expect.poll(() => changes.stats.dropped, { timeout: 2000 }).toBe(dropped + 1);
    // what the slow client got before it was cut: complete events only, then the end
    let received = '';
    slow.setEncoding('latin1');
    slow.on('data', (text: string) => {
      received += text;
    });
    slow.resume();
    await new Promise((resolve) => slow.once('close', resolve));
    const complete = [...received.matchAll(/id: (\d+)\nevent: change\ndata: [^\n]*\n\n/g)];
    expect(complete.length).toBeLessThan(rounds * 8);
    const last = complete.at(-1)?.[1] ?? String(from);
    // it resumes where it was cut and gets the rest
    const resumed = await open(service.apiToken, { 'Last-Event-ID': last });
    await resumed.change((e) => e.id === `big-${rounds - 1}-7`, 5000);
    expect(resumed.changes.length + complete.length).toBe(rounds * 8);
  });
});

describe('resuming where the journal no longer reaches', () => {
  it('sends reset with the newest sequence number, then goes on live', async () => {
    const from = await newest();
    await createDeal({ Subject: 'Soon pruned 1' });
    await createDeal({ Subject: 'Soon pruned 2' });
    await pruneJournal(service.server.store, new Date(Date.now() + 60_000).toISOString());
    const kept = await createDeal({ Subject: 'After the prune' });
    const reach = await journalReach(service.server.store);
    expect(reach.oldest).toBeGreaterThan(from + 1);
    const stream = await open(service.apiToken, { 'Last-Event-ID': String(from) });
    const reset = await stream.until((s) => s.events.find((e) => e.event === 'reset'), 2000, 'reset');
    expect(reset.data).toBe(String(reach.newest));
    expect(reset.id).toBe(String(reach.newest));
    expect(stream.changes.map((e) => e.id)).not.toContain(kept);
    const next = await createDeal({ Subject: 'After the reset' });
    await stream.change((e) => e.id === next, 1000);
    // a point beyond the newest (another database, restored from a backup) resets too
    const future = await open(service.apiToken, { 'Last-Event-ID': String(reach.newest + 1000) });
    await future.until((s) => s.events.find((e) => e.event === 'reset'), 2000, 'reset');
  });
});
