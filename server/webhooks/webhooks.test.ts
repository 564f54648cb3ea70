// Webhooks through the API and a real HTTP receiver, on SQLite and PostgreSQL: a change arrives
// signed, with its delivery ID; a record's changes in order; retries after 500s and time-outs;
// failed after the retry window (the clock is the test's); private targets refused; admins only.
import { describe, expect, it } from 'vitest';
import { addTestPerson } from '../test-support/test-people.ts';
import { request, withTestService } from '../test-support/test-service.ts';
import { verifySignature } from './signature.ts';
import { TestReceiver } from './test-receiver.ts';
import { parseAllowPrivate } from './webhook-settings.ts';

/** the test's clock: real time plus what the test has moved it on */
let offset = 0;
let backoff = 0;

const service = withTestService({
  demoData: false,
  webhooks: {
    // the receiver's address only: any other private address is still refused
    allowPrivate: parseAllowPrivate('127.0.0.1/32'),
    now: () => Date.now() + offset,
    backoffMs: () => backoff,
    timeoutMs: 200,
  },
});

const hooks = (path = '', init: Parameters<typeof service.api>[1] = {}) =>
  service.api(`${service.server.origin}/v1/webhooks${path}`, init);

async function phases() {
  const answer = await service.api('/Datastore_Phase_ActivitySalesOpportunity?$select=ID,Code');
  return Object.fromEntries(answer.body.value.map((p: { ID: string; Code: string }) => [p.Code, p.ID]));
}

async function newDeal(subject: string) {
  const codes = await phases();
  const answer = await service.api('/Activity_SalesOpportunity', {
    method: 'POST',
    json: { Subject: subject, EstimatedAmount: 1000, Phase: { ID: codes.Lead } },
  });
  expect(answer.status).toBe(201);
  return answer.body.ID as string;
}

const rename = async (id: string, subject: string) =>
  expect(
    (await service.api(`/Activity_SalesOpportunity(${id})`, { method: 'PATCH', json: { Subject: subject } }))
      .status,
  ).toBeLessThan(300);

/** A receiver and a subscription to its deals' changes, removed after `work`. */
async function withSubscription(
  work: (receiver: TestReceiver, subscription: { id: string; secret: string }) => Promise<void>,
  fields: Record<string, unknown> = {},
) {
  const receiver = await TestReceiver.start();
  const made = await hooks('', {
    method: 'POST',
    json: { url: receiver.url, sets: ['Activity_SalesOpportunity'], ...fields },
  });
  expect(made.status, made.text).toBe(201);
  try {
    await work(receiver, made.body);
  } finally {
    await hooks(`/${made.body.id}`, { method: 'DELETE' });
    await receiver.close();
    offset = 0;
    backoff = 0;
  }
}

const deliveries = async (subscriptionId: string) =>
  (await hooks(`/${subscriptionId}/deliveries`)).body.value as {
    id: string;
    sequence: number;
    recordId: string;
    status: string;
    attempts: number;
    responseStatus: number | null;
    error: string | null;
  }[];

describe('webhooks', () => {
  it('sends a change signed, with a delivery ID, and logs it', async () => {
    await withSubscription(
      async (receiver, subscription) => {
        expect(subscription.secret).toMatch(/^whsec_[\w-]{43}$/);
        const listed = (await hooks()).body.value.find((s: { id: string }) => s.id === subscription.id);
        expect(listed).toMatchObject({
          sets: ['Activity_SalesOpportunity'],
          kinds: ['created', 'updated', 'deleted'],
          active: true,
          description: 'CRM sync',
          createdBy: 'API token',
        });
        // the secret is shown once
        expect(JSON.stringify((await hooks()).body)).not.toContain(subscription.secret);

        const id = await newDeal('Signed deal');
        await receiver.until(1);
        const [request] = receiver.received;
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.json).toMatchObject({
          set: 'Activity_SalesOpportunity',
          type: 'Activity.SalesOpportunity',
          id,
          kind: 'created',
          actor: { id: 'service', name: 'API token' },
          changes: { Subject: [null, 'Signed deal'] },
        });
        expect(Object.keys(request.json)).toEqual([
          'sequence',
          'at',
          'actor',
          'set',
          'type',
          'id',
          'kind',
          'changes',
        ]);
        const signed = {
          signature: request.headers['dealdeck-signature'] as string,
          timestamp: request.headers['dealdeck-timestamp'] as string,
        };
        expect(signed.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(verifySignature(subscription.secret, signed, request.body)).toBe(true);
        expect(verifySignature(subscription.secret, signed, request.body.replace('Signed', 'Forged'))).toBe(
          false,
        );
        expect(verifySignature('whsec_another', signed, request.body)).toBe(false);
        // a captured request sent again an hour later is refused by its timestamp
        expect(
          verifySignature(subscription.secret, signed, request.body, { now: Date.now() + 3_600_000 }),
        ).toBe(false);

        await expect.poll(async () => (await deliveries(subscription.id))[0]?.status).toBe('delivered');
        const [logged] = await deliveries(subscription.id);
        expect(logged).toMatchObject({
          recordId: id,
          sequence: request.json.sequence,
          attempts: 1,
          responseStatus: 200,
          error: null,
        });
        expect(request.headers['dealdeck-delivery']).toBe(logged.id);
        const view = (await hooks(`/${subscription.id}`)).body;
        expect(view).toMatchObject({
          lastDelivery: { id: logged.id, status: 'delivered', responseStatus: 200 },
          pending: 0,
          failed: 0,
        });
      },
      { description: 'CRM sync' },
    );
  });

  it("sends a record's changes in order, retrying after a 500 and after a time-out", async () => {
    await withSubscription(async (receiver, subscription) => {
      // the deal's creation: first a 500, then no answer at all, then accepted
      let createdAnswers = 0;
      receiver.answer = (r) =>
        r.json.kind !== 'created' ? 200 : (([500, 'hang', 200] as const)[createdAnswers++] ?? 200);
      const id = await newDeal('Ordered deal');
      await rename(id, 'Ordered deal, renamed');
      await rename(id, 'Ordered deal, renamed again');
      await receiver.until(
        (all) => all.filter((r) => r.json.id === id && r.json.kind === 'updated').length >= 2,
      );

      const ofDeal = receiver.received.filter((r) => r.json.id === id);
      const sequences = ofDeal.map((r) => r.json.sequence);
      expect(ofDeal.map((r) => r.json.kind)).toEqual(['created', 'created', 'created', 'updated', 'updated']);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(ofDeal.map((r) => r.json.changes.Subject)).toEqual([
        [null, 'Ordered deal'],
        [null, 'Ordered deal'],
        [null, 'Ordered deal'],
        ['Ordered deal', 'Ordered deal, renamed'],
        ['Ordered deal, renamed', 'Ordered deal, renamed again'],
      ]);
      // a retry is the same delivery, with the same ID
      expect(new Set(ofDeal.slice(0, 3).map((r) => r.headers['dealdeck-delivery'])).size).toBe(1);

      await expect
        .poll(async () => (await deliveries(subscription.id)).map((d) => d.status))
        .toEqual(['delivered', 'delivered', 'delivered']);
      const created = (await deliveries(subscription.id)).at(-1)!;
      expect(created).toMatchObject({ attempts: 3, responseStatus: 200, error: null });
    });
  });

  it("marks a delivery failed after the retry window, and only then sends the record's next change", async () => {
    backoff = 3_600_000;
    await withSubscription(async (receiver, subscription) => {
      receiver.answer = (r) => (r.json.kind === 'created' ? 500 : 200);
      const id = await newDeal('Unlucky deal');
      await receiver.until(1);
      await rename(id, 'Unlucky deal, renamed');
      // the rename is queued behind the creation, which waits an hour for its next attempt
      await expect.poll(async () => (await deliveries(subscription.id)).length).toBe(2);
      const waiting = await deliveries(subscription.id);
      expect(waiting.map((d) => [d.status, d.attempts])).toEqual([
        ['pending', 0],
        ['pending', 1],
      ]);
      expect(receiver.received).toHaveLength(1);

      // 25 hours later: the second attempt fails too, past the day it may be tried
      offset = 25 * 3_600_000;
      service.server.webhooks!.wake();
      await receiver.until(3);
      expect(receiver.received.map((r) => r.json.kind)).toEqual(['created', 'created', 'updated']);
      await expect
        .poll(async () => (await deliveries(subscription.id)).map((d) => d.status))
        .toEqual(['delivered', 'failed']);
      const failed = (await deliveries(subscription.id))[1];
      expect(failed).toMatchObject({ attempts: 2, responseStatus: 500, error: 'The receiver answered 500' });
      expect((await hooks(`/${subscription.id}`)).body).toMatchObject({ failed: 1, pending: 0 });
    });
  });

  it('sends nothing while paused, and the changes from its resumption on', async () => {
    await withSubscription(async (receiver, subscription) => {
      const paused = await hooks(`/${subscription.id}`, { method: 'PATCH', json: { active: false } });
      expect(paused.body).toMatchObject({ active: false });
      const quiet = await newDeal('Made while paused');
      expect(
        (await hooks(`/${subscription.id}`, { method: 'PATCH', json: { active: true } })).body.active,
      ).toBe(true);
      const heard = await newDeal('Made after resuming');
      await receiver.until(1);
      await expect
        .poll(async () => (await deliveries(subscription.id)).map((d) => d.status))
        .toEqual(['delivered']);
      expect(receiver.received.map((r) => r.json.id)).toEqual([heard]);
      expect(receiver.received.map((r) => r.json.id)).not.toContain(quiet);
    });
  });

  it('sends only the kinds of change asked for', async () => {
    await withSubscription(
      async (receiver) => {
        const id = await newDeal('Kinds deal');
        await rename(id, 'Kinds deal, renamed');
        await service.api(`/Activity_SalesOpportunity(${id})`, { method: 'DELETE' });
        await receiver.until(1);
        await receiver.until((all) => all.some((r) => r.json.kind === 'deleted'));
        expect(receiver.received.map((r) => r.json.kind)).toEqual(['deleted']);
      },
      { kinds: ['deleted'] },
    );
  });
});

describe('registering webhooks', () => {
  it('refuses private, loopback and link-local targets and other URLs with a clear 400', async () => {
    const refused = async (url: string) => {
      const answer = await hooks('', { method: 'POST', json: { url } });
      expect(answer.status, url).toBe(400);
      return answer.body.error;
    };
    expect(await refused('http://10.1.2.3/hooks')).toMatchObject({
      code: 'PrivateTarget',
      target: 'url',
      message: expect.stringContaining('10.1.2.3 is a loopback, private, link-local'),
    });
    expect((await refused('http://169.254.169.254/latest/meta-data')).code).toBe('PrivateTarget');
    expect((await refused('http://[::1]:8080/hooks')).code).toBe('PrivateTarget');
    expect((await refused('http://[fd00::1]/hooks')).code).toBe('PrivateTarget');
    expect((await refused('http://[::ffff:10.0.0.1]/hooks')).code).toBe('PrivateTarget');
    expect(await refused('ftp://example.com/hooks')).toMatchObject({
      code: 'InvalidTarget',
      message: 'url must be http:// or https://, not ftp://',
    });
    expect((await refused('http://user:pw@127.0.0.1/hooks')).message).toContain('user name or password');
    expect((await refused('not a url')).message).toContain('not an absolute URL');
    expect((await refused('http://no-such-host.invalid/hooks')).code).toBe('UnresolvableTarget');

    const bad = async (json: unknown) => (await hooks('', { method: 'POST', json })).body.error;
    const url = 'http://127.0.0.1:9/hooks';
    expect(await bad({ url, sets: ['Deals'] })).toMatchObject({
      target: 'sets',
      message: expect.stringContaining("'Deals' is not an entity set"),
    });
    expect((await bad({ url, kinds: ['moved'] })).target).toBe('kinds');
    expect((await bad({ url, secret: 'short' })).target).toBe('secret');
    expect((await bad({ url, colour: 'red' })).message).toContain('Unknown field colour');
    expect(
      (await hooks('', { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } })).body
        .error.code,
    ).toBe('InvalidJson');
    expect((await hooks('/no-such-id', { method: 'PATCH', json: { active: false } })).status).toBe(404);
    expect((await hooks('/no-such-id/deliveries')).status).toBe(404);
    const huge = await hooks('', { method: 'POST', json: { url, description: 'x'.repeat(20_000) } });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PayloadTooLarge']);
    expect(
      (await hooks('', { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } })).status,
    ).toBe(415);
    expect((await hooks('/some-id', { method: 'POST', json: {} })).body.error).toMatchObject({
      code: 'MethodNotAllowed',
      message: 'Here: GET, PATCH or DELETE a webhook (README, Webhooks)',
    });
    expect((await hooks('/some-id/other')).status).toBe(404);
    // nothing was stored
    expect((await hooks()).body.value).toEqual([]);
  });

  it('keeps a given secret, and is for admins only', async () => {
    const made = await hooks('', {
      method: 'POST',
      json: { url: 'http://127.0.0.1:9/hooks', secret: 'a-secret-of-our-own' },
    });
    expect(made.status).toBe(201);
    expect(made.body.secret).toBe('a-secret-of-our-own');
    for (const role of ['rep', 'manager'] as const) {
      const { token } = await addTestPerson(service, role);
      for (const [path, init] of [
        ['', {}],
        ['', { method: 'POST', json: { url: 'http://127.0.0.1:9/hooks' } }],
        [`/${made.body.id}`, { method: 'DELETE' }],
        [`/${made.body.id}/deliveries`, {}],
      ] as const) {
        const answer = await hooks(path, { ...init, as: token });
        expect(answer.status, `${role} ${path}`).toBe(403);
        expect(answer.body.error.code).toBe('AdminOnly');
      }
    }
    expect((await hooks('', { as: null })).status).toBe(401);
    const { token } = await addTestPerson(service, 'admin');
    expect((await hooks('', { as: token })).body.value.map((s: { id: string }) => s.id)).toEqual([
      made.body.id,
    ]);
    expect((await hooks(`/${made.body.id}`, { method: 'DELETE', as: token })).status).toBe(204);
    expect((await hooks()).body.value).toEqual([]);
  });

  it("takes the dashboard's session cookie, with writes from the service's own pages only", async () => {
    const password = 'a long password for webhooks';
    const { person } = await addTestPerson(service, 'admin', undefined, password);
    const { origin } = service.server;
    const signIn = await request(`${origin}/auth/sign-in`, {
      method: 'POST',
      headers: { Origin: origin },
      json: { email: person.email, password },
    });
    const cookie = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('dealdeck_session='))!
      .split(';')[0];
    const post = (from: string) =>
      request(`${origin}/v1/webhooks`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: from },
        json: { url: 'http://127.0.0.1:9/hooks' },
      });
    const forged = await post('http://evil.example');
    expect([forged.status, forged.body.error.code]).toEqual([403, 'ForeignOrigin']);
    const own = await post(origin);
    expect(own.status).toBe(201);
    expect(own.body.createdBy).toBe(person.name);
    expect((await hooks(`/${own.body.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
