// OData delta links over the change journal, on SQLite and PostgreSQL: Prefer:
// odata.track-changes on a set, then following @odata.deltaLink gets what changed since —
// changed and new records as they are now, removed ones (deleted, or no longer matching the
// filter or visible to the reader) — paged, with $select and $expand of single-valued links;
// a token the journal no longer reaches gets 410.
import { beforeAll, describe, expect, it } from 'vitest';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { type TestRequestInit, withTestService } from '../test-support/test-service.ts';
import { pruneJournal } from './journal.ts';

const service = withTestService({ demoData: false, auth: { repSees: 'own' } });

let anna: TestPerson;
let bob: TestPerson;
let codes: Record<string, string>;

const track = { Prefer: 'odata.track-changes' };
const deals = '/Activity_SalesOpportunity';
const deal = (id: string) => `${deals}(${id})`;
const filterOf = (prefix: string, property = 'Subject') =>
  `$filter=${encodeURIComponent(`startswith(${property},'${prefix}')`)}`;

async function api(path: string, init: TestRequestInit = {}) {
  const answer = await service.api(path, init);
  expect(answer.status, answer.text).toBeLessThan(300);
  return answer;
}

const create = async (json: Record<string, unknown>, as = service.apiToken) =>
  (await api(deals, { method: 'POST', json, as })).body.ID as string;
const patch = (id: string, json: Record<string, unknown>, as = service.apiToken) =>
  api(deal(id), { method: 'PATCH', json, as });

/** Every page of a tracked read or a delta response: the values and the final delta link. */
async function readAll(url: string, init: TestRequestInit = {}) {
  const pages: any[][] = [];
  let next: string | undefined = url;
  let deltaLink: string | undefined;
  while (next) {
    const answer: { body: any; headers: Headers } = await api(next, init);
    pages.push(answer.body.value);
    next = answer.body['@odata.nextLink'];
    if (next) expect(answer.body['@odata.deltaLink']).toBeUndefined();
    else deltaLink = answer.body['@odata.deltaLink'];
  }
  expect(deltaLink).toMatch(
    new RegExp(`^${service.server.serviceRoot}/Activity_SalesOpportunity\\?\\$deltatoken=`),
  );
  return { pages, values: pages.flat(), deltaLink: deltaLink! };
}

const removed = (id: string, reason: 'deleted' | 'changed') => ({
  '@odata.context': `${service.server.serviceRoot}/$metadata#Activity_SalesOpportunity/$deletedEntity`,
  '@odata.removed': { reason },
  '@odata.id': `${service.server.serviceRoot}/Activity_SalesOpportunity(${id})`,
  id: `${service.server.serviceRoot}/Activity_SalesOpportunity(${id})`,
  reason,
  ID: id,
});

beforeAll(async () => {
  anna = await addTestPerson(service, 'rep', 'Anna Akker');
  bob = await addTestPerson(service, 'rep', 'Bob Bakker');
  const phases = await service.api('/Datastore_Phase_ActivitySalesOpportunity?$select=ID,Code');
  codes = Object.fromEntries(phases.body.value.map((p: { ID: string; Code: string }) => [p.Code, p.ID]));
});

describe('delta links', () => {
  it('tracks a filtered, selected set: changes, creates, deletes and filter leaves', async () => {
    const keep = await create({ Subject: 'D1 keep', EstimatedAmount: 1 });
    const change = await create({ Subject: 'D1 change', EstimatedAmount: 2 });
    const gone = await create({ Subject: 'D1 gone', EstimatedAmount: 3 });
    const leave = await create({ Subject: 'D1 leave', EstimatedAmount: 4 });
    const outside = await create({ Subject: 'Other', EstimatedAmount: 5 });

    const first = await api(`${deals}?${filterOf('D1')}&$select=Subject,EstimatedAmount`, { headers: track });
    expect(first.headers.get('preference-applied')).toBe('odata.track-changes');
    expect(first.body.value.map((r: any) => r.Subject).sort()).toEqual([
      'D1 change',
      'D1 gone',
      'D1 keep',
      'D1 leave',
    ]);
    const link = first.body['@odata.deltaLink'] as string;
    expect(link).toMatch(/\$deltatoken=[A-Za-z0-9_-]+$/);

    // nothing changed yet
    const empty = await api(link);
    expect(empty.body.value).toEqual([]);
    expect(empty.body['@odata.context']).toBe(
      `${service.server.serviceRoot}/$metadata#Activity_SalesOpportunity(ID,Subject,EstimatedAmount)/$delta`,
    );

    await patch(change, { EstimatedAmount: 20 });
    await api(deal(gone), { method: 'DELETE' });
    await patch(leave, { Subject: 'Left D1' });
    await patch(outside, { EstimatedAmount: 50 });
    const added = await create({ Subject: 'D1 new', EstimatedAmount: 6 });
    const fleeting = await create({ Subject: 'D1 fleeting' });
    await api(deal(fleeting), { method: 'DELETE' });

    const answer = await api(link);
    const byId = new Map((answer.body.value as any[]).map((v) => [v.ID, v]));
    expect(byId.get(change)).toMatchObject({ ID: change, Subject: 'D1 change', EstimatedAmount: 20 });
    expect(Object.keys(byId.get(change)).filter((k) => !k.startsWith('@'))).toEqual([
      'ID',
      'Subject',
      'EstimatedAmount',
    ]);
    expect(byId.get(added)).toMatchObject({ Subject: 'D1 new', EstimatedAmount: 6 });
    expect(byId.get(gone)).toEqual(removed(gone, 'deleted'));
    expect(byId.get(leave)).toEqual(removed(leave, 'changed'));
    // a record outside the filter that changed there is at most a removal, never an entity
    expect(byId.get(outside)?.Subject).toBeUndefined();
    // created and deleted since: the client never had it
    expect(byId.has(fleeting)).toBe(false);
    expect(byId.has(keep)).toBe(false);
    const next = answer.body['@odata.deltaLink'];
    expect(next).toBeDefined();
    expect(next).not.toBe(link);

    // the new link starts where this one ended
    expect((await api(next)).body.value).toEqual([]);
    await patch(keep, { EstimatedAmount: 10 });
    expect((await api(next)).body.value.map((v: any) => [v.ID, v.EstimatedAmount])).toEqual([[keep, 10]]);
  });

  it('pages a tracked read and a delta response; the delta link comes on the last page only', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await create({ Subject: `D2 ${i}`, EstimatedAmount: i }));
    const headers = { Prefer: 'odata.track-changes, odata.maxpagesize=2' };
    const first = await api(`${deals}?${filterOf('D2')}`, { headers });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=2, odata.track-changes');
    // the next pages carry the tracking: a client need not send the preference again
    const initial = await readAll(`${deals}?${filterOf('D2')}`, { headers });
    expect(initial.pages.map((p) => p.length)).toEqual([2, 2, 1]);

    for (const [i, id] of ids.entries()) await patch(id, { EstimatedAmount: 100 + i });
    const delta = await readAll(initial.deltaLink, { headers: { Prefer: 'odata.maxpagesize=2' } });
    expect(delta.pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(delta.values.map((v) => v.ID).sort()).toEqual([...ids].sort());
    expect(delta.values.every((v) => v.EstimatedAmount >= 100)).toBe(true);

    // a write between the pages of a delta response goes into the next delta, not this one
    await patch(ids[0], { EstimatedAmount: 1 });
    await patch(ids[4], { EstimatedAmount: 2 });
    const paged = await api(delta.deltaLink, { headers: { Prefer: 'odata.maxpagesize=1' } });
    expect(paged.body.value).toHaveLength(1);
    await patch(ids[1], { EstimatedAmount: 3 });
    const rest = await readAll(paged.body['@odata.nextLink'], { headers: { Prefer: 'odata.maxpagesize=1' } });
    expect([...paged.body.value, ...rest.values].map((v) => v.ID).sort()).toEqual([ids[0], ids[4]].sort());
    const after = await api(rest.deltaLink);
    expect(after.body.value.map((v: any) => v.ID)).toEqual([ids[1]]);
  });

  it('takes the sequence number before the first page: a change during the read is sent again', async () => {
    const id = await create({ Subject: 'D3 early', EstimatedAmount: 1 });
    await create({ Subject: 'D3 other', EstimatedAmount: 1 });
    const first = await api(`${deals}?${filterOf('D3')}`, {
      headers: { Prefer: 'odata.track-changes,odata.maxpagesize=1' },
    });
    await patch(id, { EstimatedAmount: 7 });
    const rest = await readAll(first.body['@odata.nextLink']);
    const delta = await api(rest.deltaLink);
    expect(delta.body.value.map((v: any) => [v.ID, v.EstimatedAmount])).toEqual([[id, 7]]);
  });

  it('expands single-valued links in the delta and refuses collection expansions', async () => {
    const id = await create({ Subject: 'D4 expand', Phase: { ID: codes.Lead } });
    const first = await api(`${deals}?${filterOf('D4')}&$select=Subject&$expand=Phase($select=Code)`, {
      headers: track,
    });
    expect(first.body.value[0].Phase.Code).toBe('Lead');
    await patch(id, { Phase: { ID: codes.Proposal } });
    const delta = await api(first.body['@odata.deltaLink']);
    expect(delta.body.value).toHaveLength(1);
    expect(delta.body.value[0]).toMatchObject({ ID: id, Subject: 'D4 expand', Phase: { Code: 'Proposal' } });

    const refused = await service.api(`${deals}?$expand=ProductLines`, { headers: track });
    expect(refused.status).toBe(501);
    expect(refused.body.error.target).toBe('$expand');
    expect(refused.body.error.message).toContain('single-valued');
    const top = await service.api(`${deals}?$top=2`, { headers: track });
    expect(top.status).toBe(501);
    // a delta link is followed as given
    const extra = await service.api(`${first.body['@odata.deltaLink']}&$filter=true`);
    expect(extra.status).toBe(400);
    const forged = await service.api(`${deals}?$deltatoken=not-a-token`);
    expect(forged.status).toBe(400);
    expect(forged.body.error.target).toBe('$deltatoken');
  });

  it('honours REP_SEES=own: another rep’s deal never appears; a deal reassigned away is removed', async () => {
    const annas = await create({ Subject: 'D5 anna', SalesRepresentative: { ID: anna.person.employeeId } });
    const bobs = await create({ Subject: 'D5 bob', SalesRepresentative: { ID: bob.person.employeeId } });
    const moving = await create({
      Subject: 'D5 moving',
      SalesRepresentative: { ID: anna.person.employeeId },
    });
    const coming = await create({ Subject: 'D5 coming', SalesRepresentative: { ID: bob.person.employeeId } });
    const bobsGone = await create({
      Subject: 'D5 bob gone',
      SalesRepresentative: { ID: bob.person.employeeId },
    });
    const asAnna = { as: anna.token, headers: track };
    const first = await api(`${deals}?${filterOf('D5')}&$select=Subject`, asAnna);
    expect(first.body.value.map((v: any) => v.Subject).sort()).toEqual(['D5 anna', 'D5 moving']);

    await patch(bobs, { EstimatedAmount: 9 });
    await patch(annas, { EstimatedAmount: 9 });
    await patch(moving, { SalesRepresentative: { ID: bob.person.employeeId } });
    await patch(coming, { SalesRepresentative: { ID: anna.person.employeeId } });
    await api(deal(bobsGone), { method: 'DELETE' });
    await create({ Subject: 'D5 bob new', SalesRepresentative: { ID: bob.person.employeeId } });

    const delta = await api(first.body['@odata.deltaLink'], { as: anna.token });
    const byId = new Map((delta.body.value as any[]).map((v) => [v.ID, v]));
    expect([...byId.keys()].sort()).toEqual([annas, moving, coming].sort());
    expect(byId.get(annas).Subject).toBe('D5 anna');
    expect(byId.get(coming).Subject).toBe('D5 coming');
    expect(byId.get(moving)).toEqual(removed(moving, 'changed'));
  });

  it('honours REP_SEES=own for the parts of deals: lines follow their deal into and out of sight', async () => {
    const rep = (who: TestPerson) => ({ SalesRepresentative: { ID: who.person.employeeId } });
    const away = await create({ Subject: 'D7 away', ...rep(anna) });
    const toward = await create({ Subject: 'D7 toward', ...rep(bob) });
    const bobs = await create({ Subject: 'D7 bob', ...rep(bob) });
    const line = async (deal: string, Description: string) =>
      (await api('/ProductLine', { method: 'POST', json: { Description, Price: 1, Activity: { ID: deal } } }))
        .body.ID as string;
    const awayLine = await line(away, 'D7 away line');
    const towardLine = await line(toward, 'D7 toward line');
    const bobsLine = await line(bobs, 'D7 bob line');
    const first = await api(`/ProductLine?${filterOf('D7', 'Description')}&$select=Description`, {
      as: anna.token,
      headers: track,
    });
    expect(first.body.value.map((v: any) => v.Description)).toEqual(['D7 away line']);

    await patch(away, rep(bob));
    await patch(toward, rep(anna));
    await api(`/ProductLine(${bobsLine})`, { method: 'PATCH', json: { Price: 2 } });
    await api(`/ProductLine(${bobsLine})`, { method: 'DELETE' });

    const delta = await api(first.body['@odata.deltaLink'], { as: anna.token });
    const byId = new Map((delta.body.value as any[]).map((v) => [v.ID, v]));
    expect([...byId.keys()].sort()).toEqual([awayLine, towardLine].sort());
    expect(byId.get(towardLine).Description).toBe('D7 toward line');
    expect(byId.get(awayLine)).toMatchObject({ '@odata.removed': { reason: 'changed' }, ID: awayLine });
  });

  it('advertises change tracking in $metadata', async () => {
    const xml = (await api('/$metadata')).text;
    expect(xml).toContain('Org.OData.Capabilities.V1');
    expect(xml).toMatch(
      /<EntitySet Name="Activity_SalesOpportunity"[\s\S]*?<Annotation Term="Capabilities.ChangeTracking">[\s\S]*?<PropertyValue Property="Supported" Bool="true"\/>[\s\S]*?<\/EntitySet>/,
    );
  });

  // last: it prunes the journal
  it('answers 410 Gone for a token the journal no longer reaches', async () => {
    await create({ Subject: 'D6 old' });
    const first = await api(`${deals}?${filterOf('D6')}`, { headers: track });
    await create({ Subject: 'D6 new' });
    await pruneJournal(service.server.store, new Date(Date.now() + 60_000).toISOString());
    await create({ Subject: 'D6 newer' });
    const gone = await service.api(first.body['@odata.deltaLink']);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('Gone');
    expect(gone.body.error.target).toBe('$deltatoken');
    // a fresh read gives a link that works
    const again = await api(`${deals}?${filterOf('D6')}`, { headers: track });
    expect((await api(again.body['@odata.deltaLink'])).body.value).toEqual([]);
  });
});
