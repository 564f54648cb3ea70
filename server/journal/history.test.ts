// A record's history through the API (`<Set>(<id>)/History`), on SQLite and PostgreSQL: the
// journal entries of a deal newest first as Dealdeck.Change, with who, when and what changed,
// paged by the server, $top, and the access rules (a deal the reader may not see is 404).
import { beforeAll, describe, expect, it } from 'vitest';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { withTestService } from '../test-support/test-service.ts';

const service = withTestService({ demoData: false, auth: { repSees: 'own' } });

let anna: TestPerson;
let bob: TestPerson;
let manager: TestPerson;
let codes: Record<string, string>;
let lostReason: string;

const deal = (id: string) => `/Activity_SalesOpportunity(${id})`;

async function write(path: string, method: string, json: unknown, as: string) {
  const answer = await service.api(path, { method, json, as });
  expect(answer.status, answer.text).toBeLessThan(300);
  return answer.body;
}

beforeAll(async () => {
  anna = await addTestPerson(service, 'rep', 'Anna Akker');
  bob = await addTestPerson(service, 'rep', 'Bob Bakker');
  manager = await addTestPerson(service, 'manager', 'Sophie van der Meer');
  const phases = await service.api('/Datastore_Phase_ActivitySalesOpportunity?$select=ID,Code');
  codes = Object.fromEntries(phases.body.value.map((p: { ID: string; Code: string }) => [p.Code, p.ID]));
  const reasons = await service.api('/Datastore_LostReason?$select=ID&$top=1');
  lostReason = reasons.body.value[0].ID;
});

describe('a deal’s history', () => {
  it('lists create, phase moves, amount change and lost with its reason, newest first, with who and when', async () => {
    const { ID: id } = await write(
      '/Activity_SalesOpportunity',
      'POST',
      { Subject: 'History deal', EstimatedAmount: 1000, Phase: { ID: codes.Lead } },
      manager.token,
    );
    await write(deal(id), 'PATCH', { Phase: { ID: codes.Proposal } }, manager.token);
    await write(deal(id), 'PATCH', { EstimatedAmount: 1500 }, service.apiToken);
    await write(
      deal(id),
      'PATCH',
      { Phase: { ID: codes.Lost }, LostReason: { ID: lostReason } },
      manager.token,
    );

    const answer = await service.api(`${deal(id)}/History`, { as: manager.token });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.body['@odata.context']).toBe(
      `${service.server.serviceRoot}/$metadata#Collection(Dealdeck.Change)`,
    );
    expect(answer.body['@odata.nextLink']).toBeUndefined();
    const changes = answer.body.value as any[];
    expect(changes.map((c) => c.Kind)).toEqual(['updated', 'updated', 'updated', 'created']);
    const sequences = changes.map((c) => c.Sequence);
    expect([...sequences].sort((a, b) => b - a)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(4);
    for (const change of changes) {
      expect(Object.keys(change)).toEqual(['Sequence', 'At', 'ActorID', 'ActorName', 'Kind', 'Changes']);
      expect(typeof change.Sequence).toBe('number');
      expect(change.At).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const [lost, amount, proposal, created] = changes;
    const byProperty = (change: any) =>
      Object.fromEntries(change.Changes.map((c: any) => [c.Property, [c.Old, c.New]]));

    expect(created).toMatchObject({ ActorID: manager.person.id, ActorName: 'Sophie van der Meer' });
    expect(byProperty(created)).toMatchObject({
      Subject: [null, 'History deal'],
      EstimatedAmount: [null, 1000],
      Phase: [null, codes.Lead],
    });

    expect(proposal.ActorID).toBe(manager.person.id);
    expect(byProperty(proposal).Phase).toEqual([codes.Lead, codes.Proposal]);
    expect(proposal.Changes).toContainEqual({ Property: 'Phase', Old: codes.Lead, New: codes.Proposal });

    expect(amount).toMatchObject({ ActorID: 'service' });
    expect(byProperty(amount).EstimatedAmount).toEqual([1000, 1500]);
    expect(byProperty(amount).Phase).toBeUndefined();

    expect(byProperty(lost)).toMatchObject({
      Phase: [codes.Proposal, codes.Lost],
      LostReason: [null, lostReason],
      Probability: [expect.any(Number), 0],
    });
  });

  it('records won with its phase and probability', async () => {
    const { ID: id } = await write(
      '/Activity_SalesOpportunity',
      'POST',
      { Subject: 'Won deal', Phase: { ID: codes.Negotiation } },
      manager.token,
    );
    await write(deal(id), 'PATCH', { Phase: { ID: codes.Won } }, manager.token);
    const answer = await service.api(`${deal(id)}/History`, { as: manager.token });
    const [won] = answer.body.value;
    expect(won.Kind).toBe('updated');
    const props = Object.fromEntries(won.Changes.map((c: any) => [c.Property, [c.Old, c.New]]));
    expect(props.Phase).toEqual([codes.Negotiation, codes.Won]);
    expect(props.Probability).toEqual([expect.any(Number), 100]);
  });

  it('pages newest first (server-driven and $top), and new entries do not shift the pages', async () => {
    const { ID: id } = await write(
      '/Activity_SalesOpportunity',
      'POST',
      { Subject: 'Paged deal', EstimatedAmount: 0 },
      manager.token,
    );
    for (let amount = 1; amount <= 6; amount++) {
      await write(deal(id), 'PATCH', { EstimatedAmount: amount }, manager.token);
    }
    const all = (await service.api(`${deal(id)}/History`, { as: manager.token })).body.value;
    expect(all).toHaveLength(7);

    const pages: any[][] = [];
    let url: string | undefined = `${deal(id)}/History`;
    while (url) {
      const answer: { status: number; text: string; headers: Headers; body: any } = await service.api(url, {
        as: manager.token,
        headers: { Prefer: 'odata.maxpagesize=3' },
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.get('preference-applied')).toBe('odata.maxpagesize=3');
      pages.push(answer.body.value);
      url = answer.body['@odata.nextLink'];
      if (pages.length === 1) {
        expect(url).toContain(`${service.server.serviceRoot}/Activity_SalesOpportunity(${id})/History?`);
        // a write between pages adds a newer entry; the next pages go on where the first stopped
        await write(deal(id), 'PATCH', { EstimatedAmount: 99 }, manager.token);
      }
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((c) => c.Sequence)).toEqual(all.map((c: any) => c.Sequence));

    const top = await service.api(`${deal(id)}/History?$top=4`, {
      as: manager.token,
      headers: { Prefer: 'odata.maxpagesize=3' },
    });
    expect(top.body.value).toHaveLength(3);
    const rest = await service.api(top.body['@odata.nextLink'], { as: manager.token });
    expect(rest.body.value).toHaveLength(1);
    expect(rest.body['@odata.nextLink']).toBeUndefined();
    expect([...top.body.value, ...rest.body.value][0].Changes).toContainEqual({
      Property: 'EstimatedAmount',
      Old: 6,
      New: 99,
    });
  });

  it('answers 404 for a deal the reader may not see, and for an unknown one', async () => {
    const { ID: bobs } = await write(
      '/Activity_SalesOpportunity',
      'POST',
      { Subject: 'Bob’s deal', SalesRepresentative: { ID: bob.person.employeeId } },
      manager.token,
    );
    expect((await service.api(`${deal(bobs)}/History`, { as: anna.token })).status).toBe(404);
    expect((await service.api(`${deal(bobs)}/History`, { as: bob.token })).status).toBe(200);
    expect((await service.api(`/Activity(${bobs})/History`, { as: bob.token })).body.value).toHaveLength(1);
    // through a single-valued navigation: the history of the linked record
    const { ID: phased } = await write(
      '/Activity_SalesOpportunity',
      'POST',
      { Subject: 'Phased', Phase: { ID: codes.Lead } },
      manager.token,
    );
    const phase = await service.api(`${deal(phased)}/Phase/History`, { as: manager.token });
    expect(phase.status, phase.text).toBe(200);
    expect(phase.body.value.at(-1)).toMatchObject({ Kind: 'created', ActorID: 'system' });
    const unknown = await service.api(`${deal('3fa85f64-5717-4562-b3fc-2c963f66afa6')}/History`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NotFound');
  });

  it('is read-only and refuses options it does not implement', async () => {
    const { ID: id } = await write('/Activity_SalesOpportunity', 'POST', { Subject: 'RO' }, manager.token);
    const post = await service.api(`${deal(id)}/History`, { method: 'POST', json: {} });
    expect(post.status).toBe(405);
    const filter = await service.api(`${deal(id)}/History?$filter=Kind eq 'created'`);
    expect(filter.status).toBe(501);
    expect(filter.body.error.target).toBe('$filter');
    const token = await service.api(`${deal(id)}/History?$skiptoken=abc`);
    expect(token.status).toBe(400);
    expect((await service.api('/Activity_SalesOpportunity/History')).status).toBe(400);
    expect((await service.api(`${deal(id)}/History/$count`)).status).toBe(400);
    for (const query of ['$expand=History', '$select=History', '$filter=History/any()']) {
      const answer = await service.api(`${deal(id)}?${query}`);
      expect(answer.status, `${query}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, query).toBeLessThan(500);
    }
  });

  it('is declared in $metadata', async () => {
    const xml = (await service.api('/$metadata')).text;
    expect(xml).toContain('<EntityType Name="Change">');
    expect(xml).toContain('<ComplexType Name="PropertyChange">');
    expect(xml).toContain(
      '<NavigationProperty Name="History" Type="Collection(Dealdeck.Change)" ContainsTarget="true">',
    );
  });
});
