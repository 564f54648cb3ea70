// Proxy mode end to end over HTTP: Dealdeck with UPSTREAM_URL in front of a hosted CRM made of
// our own service, a real OAuth2 server (oidc-provider, client credentials) and a front that
// checks its tokens (test-upstream.ts). What a client sends to Dealdeck reaches the CRM with
// Dealdeck's token instead of the client's credentials, and what the CRM answers comes back
// unchanged but for its URLs, which name Dealdeck.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSession } from '../people/credentials.ts';
import { addPerson } from '../people/people.ts';
import { type RunningServer, startServer } from '../start-server.ts';
import { addTestPerson } from '../test-support/test-people.ts';
import {
  type ApiResponse,
  request,
  type TestService,
  withTestService,
} from '../test-support/test-service.ts';
import { startTestCrm } from './test-crm.ts';
import type { UpstreamSettings } from './upstream-settings.ts';

const crm = await startTestCrm();

/** Dealdeck's clock for the token it holds: moved forward to let the token come due. */
let clock = Date.now();
const proxy: TestService = withTestService({ upstream: crm.settings({ now: () => clock }) });

/** A request straight to the CRM's service, with its own token (not through the front). */
const direct = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  request(`${crm.service.serviceRoot}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${crm.apiToken}`, ...(init.headers as Record<string, string>) },
  });

const proxyRoot = () => proxy.server.serviceRoot;
const crmRoot = () => crm.service.serviceRoot;
const requestsSince = (mark: number) => crm.requests.slice(mark);
const tokensFetched = () => proxy.server.upstream!.token!.fetched;

let pipelineId: string;
let phaseIds: string[];
beforeAll(async () => {
  const pipelines = await direct('/Pipeline?$orderby=SortIndex&$top=1');
  pipelineId = pipelines.body.value[0].ID;
  const phases = await direct(
    `/Datastore_Phase_ActivitySalesOpportunity?$filter=Pipeline/ID eq ${pipelineId}&$orderby=SortIndex`,
  );
  phaseIds = phases.body.value.map((p: { ID: string }) => p.ID);
  for (let i = 0; i < 5; i++) {
    const created = await direct('/Activity_SalesOpportunity', {
      method: 'POST',
      json: {
        Subject: `Proxy deal ${i}`,
        EstimatedAmount: 1000 + i,
        Currency: 'EUR',
        Phase: { ID: phaseIds[0] },
        Pipeline: { ID: pipelineId },
      },
    });
    expect(created.status).toBe(201);
  }
});

/** The body with the CRM's root replaced by Dealdeck's: what the proxy should answer. */
const asThroughProxy = (text: string) => text.split(crmRoot()).join(proxyRoot());

describe('reads', () => {
  it('answers a listing as the CRM does, with its URLs under our root', async () => {
    const path = `/Activity_SalesOpportunity?$filter=startswith(Subject,'Proxy deal')&$orderby=Subject&$select=ID,Subject,EstimatedAmount`;
    const [through, straight] = await Promise.all([proxy.api(path), direct(path)]);
    expect(through.status).toBe(200);
    expect(through.body.value).toHaveLength(5);
    expect(through.headers.get('content-type')).toBe(straight.headers.get('content-type'));
    expect(through.headers.get('odata-version')).toBe('4.0');
    expect(through.body['@odata.context']).toBe(
      `${proxyRoot()}/$metadata#Activity_SalesOpportunity(ID,Subject,EstimatedAmount)`,
    );
    expect(through.text).toBe(asThroughProxy(straight.text));
    expect(through.text).not.toContain(crm.root);
  });

  it("passes the CRM's $metadata and service document, so capability detection sees the CRM", async () => {
    const [metadata, straight] = await Promise.all([proxy.api('/$metadata'), direct('/$metadata')]);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toMatch(/xml/);
    expect(metadata.text).toBe(straight.text);
    // what the dashboard's capability detection reads (src/api/service-capabilities.ts)
    expect(metadata.text).toMatch(/<Annotation Term="[\w.]*ApplySupported"/);
    const document = await proxy.api('');
    expect(document.status).toBe(200);
    expect(document.body['@odata.context']).toBe(`${proxyRoot()}/$metadata`);
  });

  it('passes Prefer and Preference-Applied, and pages through nextLinks that name our root', async () => {
    const path = `/Activity_SalesOpportunity?$filter=startswith(Subject,'Proxy deal')&$orderby=Subject&$select=Subject`;
    const subjects: string[] = [];
    let next: string | undefined = `${proxyRoot()}${path}`;
    let pages = 0;
    while (next) {
      const page: ApiResponse = await proxy.api(next, { headers: { Prefer: 'odata.maxpagesize=2' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
      subjects.push(...page.body.value.map((r: { Subject: string }) => r.Subject));
      next = page.body['@odata.nextLink'];
      if (next) expect(next.startsWith(`${proxyRoot()}/Activity_SalesOpportunity?`)).toBe(true);
      pages++;
    }
    expect(pages).toBe(3);
    expect(subjects).toEqual([0, 1, 2, 3, 4].map((i) => `Proxy deal ${i}`));
  });

  it('passes error answers with their status and OData error body', async () => {
    for (const path of ['/NoSuchSet', "/Activity_SalesOpportunity?$filter=Subject eq 'unclosed"]) {
      const [through, straight] = await Promise.all([proxy.api(path), direct(path)]);
      expect(through.status).toBe(straight.status);
      expect(through.status).toBeGreaterThanOrEqual(400);
      expect(through.body).toEqual(straight.body);
      expect(through.body.error.message).toEqual(expect.any(String));
    }
  });
});

describe('writes', () => {
  it('PATCH with If-Match is persisted upstream, and a stale ETag gets the 412 unchanged', async () => {
    const [deal] = (await direct(`/Activity_SalesOpportunity?$filter=Subject eq 'Proxy deal 3'&$select=ID`))
      .body.value;
    const read = await proxy.api(`/Activity_SalesOpportunity(${deal.ID})`);
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"|^"/);
    expect(etag).toBe((await direct(`/Activity_SalesOpportunity(${deal.ID})`)).headers.get('etag'));

    const moved = await proxy.api(`/Activity_SalesOpportunity(${deal.ID})`, {
      method: 'PATCH',
      headers: { 'If-Match': etag, Prefer: 'return=minimal' },
      json: { Phase: { ID: phaseIds[1] }, EstimatedAmount: 4321 },
    });
    expect(moved.status).toBe(204);
    expect(moved.text).toBe('');
    expect(moved.headers.get('preference-applied')).toBe('return=minimal');
    expect(moved.headers.get('etag')).not.toBe(etag);
    const stored = await direct(`/Activity_SalesOpportunity(${deal.ID})?$expand=Phase($select=ID)`);
    expect(stored.body).toMatchObject({ EstimatedAmount: 4321, Phase: { ID: phaseIds[1] } });
    expect(moved.headers.get('etag')).toBe(stored.headers.get('etag'));

    const stale = await proxy.api(`/Activity_SalesOpportunity(${deal.ID})`, {
      method: 'PATCH',
      headers: { 'If-Match': etag },
      json: { EstimatedAmount: 1 },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toEqual(expect.any(String));
    expect((await direct(`/Activity_SalesOpportunity(${deal.ID})`)).body.EstimatedAmount).toBe(4321);
  });

  it('POST answers 201 with Location and OData-EntityId under our root', async () => {
    const created = await proxy.api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'Made through the proxy', Phase: { ID: phaseIds[0] }, Pipeline: { ID: pipelineId } },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toBe(`${proxyRoot()}/Activity_SalesOpportunity(${created.body.ID})`);
    expect(created.body['@odata.context']).toMatch(new RegExp(`^${proxyRoot()}/\\$metadata#`));
    const followed = await proxy.api(location);
    expect(followed.body.Subject).toBe('Made through the proxy');
    expect((await direct(`/Activity_SalesOpportunity(${created.body.ID})`)).status).toBe(200);
  });

  it('sends an @odata.bind under our root up as one under the CRM root', async () => {
    const mark = crm.requests.length;
    const created = await proxy.api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: {
        Subject: 'Bound through the proxy',
        'Phase@odata.bind': `${proxyRoot()}/Datastore_Phase_ActivitySalesOpportunity(${phaseIds[2]})`,
        Pipeline: { ID: pipelineId },
      },
    });
    expect(created.status).toBe(201);
    const [sent] = requestsSince(mark);
    expect(JSON.parse(sent.body)['Phase@odata.bind']).toBe(
      `${crm.root}/Datastore_Phase_ActivitySalesOpportunity(${phaseIds[2]})`,
    );
    const stored = await direct(`/Activity_SalesOpportunity(${created.body.ID})?$expand=Phase($select=ID)`);
    expect(stored.body.Phase.ID).toBe(phaseIds[2]);
  });
});

describe('whose credentials reach the CRM', () => {
  it('refuses a request without a Dealdeck sign-in, and forwards nothing', async () => {
    const mark = crm.requests.length;
    const answer = await proxy.api('/Pipeline', { as: null });
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toMatch(/Sign in first/);
    expect(requestsSince(mark)).toEqual([]);
  });

  it("sends Dealdeck's upstream token, never the browser's cookie, token or origin", async () => {
    const person = await addPerson(proxy.server.store, {
      email: 'browser@proxy.test',
      name: 'Browser Person',
      role: 'manager',
    });
    const session = await startSession(proxy.server.store, person.id);
    const { token: personalToken } = await addTestPerson(proxy, 'rep');
    const mark = crm.requests.length;
    const bySession = await request(`${proxyRoot()}/Pipeline?$select=ID`, {
      headers: { Cookie: `dealdeck_session=${session}; other=1`, Origin: proxy.server.origin },
    });
    expect(bySession.status).toBe(200);
    const byToken = await proxy.api('/Pipeline?$select=ID', { as: personalToken });
    expect(byToken.status).toBe(200);
    const byQueryToken = await proxy.api(
      `/Pipeline?$select=ID&access_token=${encodeURIComponent(personalToken)}`,
      {
        as: null,
      },
    );
    expect(byQueryToken.status).toBe(200);
    const reached = requestsSince(mark);
    expect(reached.map((r) => r.url)).toEqual([
      '/v1/odata/Pipeline?$select=ID',
      '/v1/odata/Pipeline?$select=ID',
      '/v1/odata/Pipeline?$select=ID',
    ]);
    for (const { headers } of reached) {
      const bearer = headers.authorization?.replace(/^Bearer /, '');
      expect(crm.acceptedTokens.has(bearer!)).toBe(true);
      expect(headers.cookie).toBeUndefined();
      expect(headers.origin).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(personalToken);
      expect(JSON.stringify(headers)).not.toContain(session);
      expect(JSON.stringify(headers)).not.toContain(proxy.apiToken);
    }
  });

  it("refuses a signed-in browser's write from another site before it reaches the CRM", async () => {
    const person = await addPerson(proxy.server.store, {
      email: 'forged@proxy.test',
      name: 'Forged Person',
      role: 'manager',
    });
    const session = await startSession(proxy.server.store, person.id);
    const mark = crm.requests.length;
    const forged = await request(`${proxyRoot()}/Activity_SalesOpportunity`, {
      method: 'POST',
      headers: { Cookie: `dealdeck_session=${session}`, Origin: 'https://evil.example' },
      json: { Subject: 'forged' },
    });
    expect(forged.status).toBe(403);
    expect(requestsSince(mark)).toEqual([]);
  });

  it('fetches a new token shortly before the held one expires', async () => {
    await proxy.api('/Pipeline?$top=1');
    const before = tokensFetched();
    const mark = crm.requests.length;
    await proxy.api('/Pipeline?$top=1');
    expect(tokensFetched()).toBe(before);
    const [held] = requestsSince(mark).map((r) => r.headers.authorization);
    // the provider's tokens live 600 s: at 590 s Dealdeck asks for the next one
    clock += 590_000;
    const after = await proxy.api('/Pipeline?$top=1');
    expect(after.status).toBe(200);
    expect(tokensFetched()).toBe(before + 1);
    const [renewed] = requestsSince(mark + 1).map((r) => r.headers.authorization);
    expect(renewed).not.toBe(held);
  });

  it('asks for one token however many requests wait for it', async () => {
    const server = await startServer({
      databaseUrl: ':memory:',
      demoData: false,
      apiToken: 'p',
      upstream: crm.settings(),
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          request(`${server.serviceRoot}/Pipeline?$top=1`, { headers: { Authorization: 'Bearer p' } }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(server.upstream!.token!.fetched).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('after the CRM refuses the token (revoked), tries once more with a new one', async () => {
    await proxy.api('/Pipeline?$top=1');
    const mark = crm.requests.length;
    await proxy.api('/Pipeline?$top=1');
    const held = requestsSince(mark)[0].headers.authorization!.replace(/^Bearer /, '');
    await crm.revoke(held);
    const before = tokensFetched();
    const again = crm.requests.length;
    const answer = await proxy.api('/Pipeline?$top=1');
    expect(answer.status).toBe(200);
    expect(tokensFetched()).toBe(before + 1);
    const tried = requestsSince(again).map((r) => r.headers.authorization);
    expect(tried).toHaveLength(2);
    expect(tried[0]).toBe(`Bearer ${held}`);
    expect(tried[1]).not.toBe(tried[0]);
  });
});

describe('proxy mode elsewhere', () => {
  it('/v1/mode says proxy with the upstream, and /v1/changes answers 404 (the dashboard polls)', async () => {
    const mode = await request(`${proxy.server.origin}/v1/mode`);
    expect(mode.body).toEqual({ mode: 'proxy', upstream: crm.root });
    const changes = await request(`${proxy.server.origin}/v1/changes`, {
      headers: { Authorization: `Bearer ${proxy.apiToken}` },
    });
    expect(changes.status).toBe(404);
    expect(changes.body.error.message).toMatch(/no change stream in proxy mode/);
    const own = await request(`${crm.service.origin}/v1/mode`);
    expect(own.body).toEqual({ mode: 'own' });
  });

  it('forecast movement and webhooks answer 404: the local journal holds none of the upstream’s changes', async () => {
    const auth = { headers: { Authorization: `Bearer ${proxy.apiToken}` } };
    const movement = await request(
      `${proxy.server.origin}/v1/movement?pipeline=00000000-0000-4000-8000-000000000001&since=2026-11-01&from=2026-10-01&to=2026-12-31`,
      auth,
    );
    expect(movement.status).toBe(404);
    expect(movement.body.error.message).toMatch(/no forecast movement in proxy mode/);
    for (const path of ['/v1/webhooks', '/v1/webhooks/some-id/deliveries']) {
      const webhooks = await request(`${proxy.server.origin}${path}`, auth);
      expect(webhooks.status, path).toBe(404);
      expect(webhooks.body.error.message).toMatch(/no webhook delivery in proxy mode/);
    }
    // without credentials, still nothing but 401
    expect((await request(`${proxy.server.origin}/v1/webhooks`)).status).toBe(401);
  });
});

describe('502 when the CRM cannot be used', () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const proxyTo = async (upstream: UpstreamSettings) => {
    const server = await startServer({ databaseUrl: ':memory:', demoData: false, apiToken: 'p', upstream });
    servers.push(server);
    return request(`${server.serviceRoot}/Pipeline`, { headers: { Authorization: 'Bearer p' } });
  };
  const closedPort = async () => {
    const server = await startServer({ databaseUrl: ':memory:', demoData: false });
    const origin = server.origin;
    await server.close();
    return origin;
  };

  it('the CRM cannot be reached', async () => {
    const answer = await proxyTo(crm.settings({ url: `${await closedPort()}/v1/odata` }));
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('UpstreamUnreachable');
    expect(answer.body.error.message).toMatch(
      /^The upstream service at http:\/\/127\.0\.0\.1:\d+\/v1\/odata cannot be reached \(ECONNREFUSED\)/,
    );
  });

  it('its token server cannot be reached', async () => {
    const settings = crm.settings();
    const answer = await proxyTo({
      ...settings,
      client: { ...settings.client!, tokenUrl: `${await closedPort()}/token` },
    });
    expect(answer.status).toBe(502);
    expect(answer.body.error.message).toMatch(/token server at .* cannot be reached/);
  });

  it('the token server refuses the client secret', async () => {
    const settings = crm.settings();
    const answer = await proxyTo({ ...settings, client: { ...settings.client!, clientSecret: 'wrong' } });
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('UpstreamRefusedCredentials');
    expect(answer.body.error.message).toMatch(
      /^The upstream refused Dealdeck's credentials \(its token server answered 401 invalid_client/,
    );
  });

  it('the CRM refuses the tokens of this client, a new one too', async () => {
    const settings = crm.settings();
    const mark = crm.requests.length;
    const answer = await proxyTo({ ...settings, client: { ...settings.client!, ...crm.strangerClient } });
    expect(answer.status).toBe(502);
    expect(answer.body.error.message).toMatch(
      /^The upstream refused Dealdeck's credentials \(it answered 401 to a new token\)/,
    );
    expect(requestsSince(mark)).toHaveLength(2);
  });

  it('a token without the scope to write: the 403 passes as it is (not a credentials problem)', async () => {
    const settings = crm.settings();
    const server = await startServer({
      databaseUrl: ':memory:',
      demoData: false,
      apiToken: 'p',
      upstream: { ...settings, client: { ...settings.client!, scope: 'read' } },
    });
    servers.push(server);
    const read = await request(`${server.serviceRoot}/Pipeline?$top=1`, {
      headers: { Authorization: 'Bearer p' },
    });
    expect(read.status).toBe(200);
    const write = await request(`${server.serviceRoot}/Activity_SalesOpportunity`, {
      method: 'POST',
      headers: { Authorization: 'Bearer p' },
      json: { Subject: 'not allowed' },
    });
    expect(write.status).toBe(403);
    expect(write.body.error).toEqual({
      code: 'InsufficientScope',
      message: 'The token lacks the scope write',
    });
  });
});

describe('streaming', () => {
  it('passes the first part of a long answer on before the upstream has sent the rest', async () => {
    // an upstream that needs no token and sends a page in two parts, the second on request
    let sendRest: (() => void) | undefined;
    const slow = createServer((req, res) => {
      const root = `http://${req.headers.host}/odata`;
      res.writeHead(200, {
        'Content-Type': 'application/json;odata.metadata=minimal',
        'OData-Version': '4.0',
      });
      res.write(`{"@odata.context":"${root}/$metadata#X","value":[${'{"Name":"first"},'.repeat(2000)}`);
      sendRest = () => res.end(`{"Name":"last"}],"@odata.nextLink":"${root}/X?$skiptoken=2"}`);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/odata`;
    const server = await startServer({
      databaseUrl: ':memory:',
      demoData: false,
      apiToken: 'p',
      upstream: { url: upstreamUrl },
    });
    try {
      const response = await fetch(`${server.serviceRoot}/X`, { headers: { Authorization: 'Bearer p' } });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // the upstream holds its end back until this side has read the start
      while (!text.includes('"value":[{"Name":"first"}')) {
        const { value, done } = await reader.read();
        expect(done).toBe(false);
        text += decoder.decode(value, { stream: true });
      }
      expect(text).toContain(`"@odata.context":"${server.serviceRoot}/$metadata#X"`);
      sendRest!();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      const body = JSON.parse(text);
      expect(body.value).toHaveLength(2001);
      expect(body['@odata.nextLink']).toBe(`${server.serviceRoot}/X?$skiptoken=2`);
    } finally {
      await server.close();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});
