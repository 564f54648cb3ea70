// A keep-alive connection stays usable after an answer given without reading the request's
// body (415, 404, 405, 400 before the body is needed): the fuzz found a client's next request on
// such a connection getting no answer at all ("socket hang up") half a second later.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../test-support/odata-answers.ts';
import { withTestService } from '../test-support/test-service.ts';

const service = withTestService();
let id: string;
const agents: Agent[] = [];

beforeAll(async () => {
  const created = await service.api('/Activity_SalesOpportunity', {
    method: 'POST',
    json: { Subject: 'Kept' },
  });
  id = created.body.ID;
});
afterAll(() => {
  for (const agent of agents) agent.destroy();
});

describe.concurrent('a keep-alive connection after an answer that left a large body unread', () => {
  it.each([
    ['415', 'POST', '/Activity_SalesOpportunity', { 'Content-Type': 'text/plain' }],
    ['404', 'PATCH', '/Activity_SalesOpportunity(00000000-0000-4000-8000-000000000000)', {}],
    ['405', 'POST', '/Activity_SalesOpportunity({id})', {}],
    ['400', 'PATCH', '/Activity_SalesOpportunity({id})?$filter=x', {}],
  ])(
    '%s: the requests after it on the same connection are answered',
    async (status, method, path, headers) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const root = service.server.serviceRoot;
      const body = JSON.stringify({ Subject: 'x'.repeat(200_000) });
      const refused = await sendRaw(
        root,
        { method, path: path.replace('{id}', id), headers, body },
        agent,
        service.apiToken,
      );
      expect(refused.status).toBe(Number(status));
      // @hono/node-server closes a connection whose unread body is not drained within 500 ms
      const until = Date.now() + 650;
      while (Date.now() < until) {
        const next = await sendRaw(root, { path: '/Pipeline?$top=1' }, agent, service.apiToken);
        expect(next.problem).toBeUndefined();
        expect(next.status).toBe(200);
      }
    },
  );
});
