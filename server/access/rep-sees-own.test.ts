// REP_SEES=own through HTTP: a rep reads only their own and unassigned deals and the records of
// those deals, in every way the API reads (lists, counts, expansions at depth, navigation,
// single records, properties, links, filters through navigation, $apply sums). The numbers are
// checked against sums of the visible deals alone, so that a hidden deal counted anywhere fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { type TestRequestInit, withTestService } from '../test-support/test-service.ts';

const service = withTestService({ auth: { repSees: 'own' } });

let anna: TestPerson;
let bob: TestPerson;
let manager: TestPerson;
/** deals: A1, A2 are Anna's, B1, B2 Bob's, U1 nobody's */
const deals: Record<string, string> = {};
const lines: Record<string, string> = {};
const amounts = { A1: 100, A2: 200, B1: 4000, B2: 8000, U1: 30000 };
const prices = { A1: 10, B1: 500, U1: 70, B2: 900 };

const asAnna = (path: string, init: TestRequestInit = {}) => service.api(path, { as: anna.token, ...init });
const values = async (path: string, as = anna.token) => {
  const response = await service.api(path, { as });
  expect(response.status, response.text).toBe(200);
  return response.body.value as Record<string, any>[];
};
const ids = async (path: string, as = anna.token) => (await values(path, as)).map((r) => r.ID).sort();
const named = (...names: string[]) => names.map((n) => deals[n]).sort();

async function create(path: string, json: Record<string, unknown>) {
  const response = await service.api(path, { method: 'POST', json });
  expect(response.status, response.text).toBe(201);
  return response.body.ID as string;
}

beforeAll(async () => {
  anna = await addTestPerson(service, 'rep', 'Anna Akker');
  bob = await addTestPerson(service, 'rep', 'Bob Bakker');
  manager = await addTestPerson(service, 'manager', 'Mia Manager');
  const owners: Record<string, TestPerson | null> = { A1: anna, B1: bob, A2: anna, B2: bob, U1: null };
  // B1 and U1 hang under A1 (its LinkedActivities); A2 hangs under B1
  const parents: Record<string, string> = { B1: 'A1', U1: 'A1', A2: 'B1' };
  for (const name of ['A1', 'B1', 'A2', 'B2', 'U1'] as const) {
    deals[name] = await create('/Activity_SalesOpportunity', {
      Subject: `Deal ${name}`,
      EstimatedAmount: amounts[name],
      SalesRepresentative: owners[name] ? { ID: owners[name].person.employeeId } : null,
      ...(parents[name] ? { Activity: { ID: deals[parents[name]] } } : {}),
    });
  }
  for (const [name, price] of Object.entries(prices)) {
    lines[name] = await create('/ProductLine', {
      Description: `Line of ${name}`,
      Price: price,
      Activity: { ID: deals[name] },
    });
  }
  const contact = await create('/Relation_Person_Contact', { LastName: 'Buyer' });
  for (const name of ['A1', 'B2']) {
    await create('/Involved', { Role: 'User', Activity: { ID: deals[name] }, Relation: { ID: contact } });
  }
  await create('/TimeRegistration', { Date: '2026-05-01', Hours: 1, Activity: { ID: deals.A1 } });
  await create('/TimeRegistration', { Date: '2026-05-02', Hours: 2, Activity: { ID: deals.B1 } });
  await create('/TimeRegistration', { Date: '2026-05-03', Hours: 4 });
});

describe('lists and counts', () => {
  it('list only their own and unassigned deals, in both sets, with counts that agree', async () => {
    for (const set of ['Activity_SalesOpportunity', 'Activity']) {
      const response = await asAnna(`/${set}?$count=true&$select=ID`);
      expect(response.body['@odata.count']).toBe(3);
      expect(response.body.value.map((d: any) => d.ID).sort()).toEqual(named('A1', 'A2', 'U1'));
      expect((await asAnna(`/${set}/$count`)).text).toBe('3');
      expect((await asAnna(`/${set}/$count?$filter=Amount gt 5`)).text).toBe('2');
    }
  });

  it('page through the visible deals only', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/Activity_SalesOpportunity?$select=ID&$orderby=EstimatedAmount desc';
    while (next) {
      const page: Awaited<ReturnType<typeof asAnna>> = await asAnna(next, {
        headers: { Prefer: 'odata.maxpagesize=2' },
      });
      seen.push(...page.body.value.map((d: any) => d.ID));
      next = page.body['@odata.nextLink'];
    }
    expect(seen).toEqual([deals.U1, deals.A2, deals.A1]);
  });

  it('list only the product lines, involved parties and time registrations of those deals (and those of no deal)', async () => {
    expect(await ids('/ProductLine')).toEqual([lines.A1, lines.U1].sort());
    expect((await asAnna('/ProductLine/$count')).text).toBe('2');
    expect((await asAnna('/ProductLine?$count=true&$top=0')).body['@odata.count']).toBe(2);
    expect((await asAnna('/Involved/$count')).text).toBe('1');
    const hours = (await values('/TimeRegistration?$orderby=Hours')).map((t) => t.Hours);
    expect(hours).toEqual([1, 4]);
    expect((await asAnna('/TimeRegistration/$count')).text).toBe('2');
  });
});

describe('single records, properties and links', () => {
  it("answer 404 for another rep's deal and its records, as if they did not exist", async () => {
    const B1 = deals.B1;
    for (const path of [
      `/Activity_SalesOpportunity(${B1})`,
      `/Activity(${B1})`,
      `/Activity_SalesOpportunity(${B1})/Subject`,
      `/Activity_SalesOpportunity(${B1})/Subject/$value`,
      `/Activity_SalesOpportunity(${B1})/$ref`,
      `/Activity_SalesOpportunity(${B1})/ProductLines`,
      `/Activity_SalesOpportunity(${B1})/ProductLines/$count`,
      `/Activity_SalesOpportunity(${B1})/Phase`,
      `/Activity_SalesOpportunity(${deals.A1})/LinkedActivities(${B1})`,
      `/ProductLine(${lines.B1})`,
      `/ProductLine(${lines.B1})/Activity`,
      `/ProductLine(${lines.B1})/Price`,
    ]) {
      const response = await asAnna(path);
      expect(response.status, path).toBe(404);
      expect(response.text, path).not.toContain('Deal B1');
    }
  });

  it('serve their own, unassigned and the records reached from them', async () => {
    expect((await asAnna(`/Activity_SalesOpportunity(${deals.A1})`)).status).toBe(200);
    expect((await asAnna(`/Activity(${deals.U1})/Subject`)).body.value).toBe('Deal U1');
    expect((await asAnna(`/ProductLine(${lines.U1})/Activity`)).body.ID).toBe(deals.U1);
    // employees are reference data: every rep reads them, Bob's record too
    expect((await asAnna(`/Relation_Person_Contact_Employee(${bob.person.employeeId})`)).status).toBe(200);
  });

  it('read a link to a hidden deal as no link', async () => {
    const parent = await asAnna(`/Activity_SalesOpportunity(${deals.A2})/Activity`);
    expect(parent.status).toBe(204);
    expect((await asAnna(`/Activity_SalesOpportunity(${deals.A2})/Activity/$ref`)).status).toBe(204);
    const linked = await asAnna(`/Activity_SalesOpportunity(${deals.A1})/LinkedActivities/$ref`);
    expect(linked.body.value.map((r: any) => r['@odata.id'])).toEqual([
      `${service.server.serviceRoot}/Activity_SalesOpportunity(${deals.U1})`,
    ]);
    expect(await ids(`/Activity_SalesOpportunity(${deals.A1})/LinkedActivities`)).toEqual([deals.U1]);
    expect((await asAnna(`/Activity_SalesOpportunity(${deals.A1})/LinkedActivities/$count`)).text).toBe('1');
  });
});

describe('expansions', () => {
  it('leave hidden deals out at every depth, and out of their counts', async () => {
    const rows = await values(
      '/Activity_SalesOpportunity?$select=ID&$expand=Activity($select=ID),LinkedActivities($select=ID;$count=true),ProductLines($select=Price)',
    );
    const byId = new Map(rows.map((r) => [r.ID, r]));
    expect(byId.get(deals.A1)!.LinkedActivities.map((l: any) => l.ID)).toEqual([deals.U1]);
    expect(byId.get(deals.A1)!['LinkedActivities@odata.count']).toBe(1);
    expect(byId.get(deals.A2)!.Activity).toBeNull();
    expect(byId.get(deals.U1)!.Activity.ID).toBe(deals.A1);
    // from the lines up, and down again two levels
    const fromLines = await values(
      '/ProductLine?$select=Price&$expand=Activity($select=ID;$expand=LinkedActivities($select=ID;$top=5;$count=true;$expand=ProductLines($select=Price)))',
    );
    const a1 = fromLines.find((l) => l.Price === prices.A1)!.Activity;
    expect(a1.LinkedActivities.map((l: any) => l.ID)).toEqual([deals.U1]);
    expect(a1['LinkedActivities@odata.count']).toBe(1);
    expect(a1.LinkedActivities[0].ProductLines.map((l: any) => l.Price)).toEqual([prices.U1]);
    const involved = await values('/Involved?$expand=Activity($select=ID)');
    expect(involved.map((i) => i.Activity.ID)).toEqual([deals.A1]);
    const deep = await asAnna(
      `/TimeRegistration?$filter=Hours eq 1&$expand=Activity($select=ID;$expand=LinkedActivities($select=ID;$expand=Activity($select=ID;$expand=LinkedActivities($select=ID;$skip=0;$count=true))))`,
    );
    const inner = deep.body.value[0].Activity.LinkedActivities[0].Activity;
    expect(inner.LinkedActivities.map((l: any) => l.ID)).toEqual([deals.U1]);
    expect(inner['LinkedActivities@odata.count']).toBe(1);
  });
});

describe('filters and order through navigation', () => {
  it("cannot probe a hidden deal's values from a visible record", async () => {
    // lines of visible deals only, whatever the filter asks of their deal
    expect(await ids('/ProductLine?$filter=Activity/Amount gt 5')).toEqual([lines.A1, lines.U1].sort());
    expect((await asAnna('/ProductLine/$count?$filter=Activity/Amount gt 50')).text).toBe('1');
    // A2's parent is Bob's B1 (amount 500), A1's linked activities hold B1: none of that shows
    expect(await ids('/Activity_SalesOpportunity?$filter=Activity/Amount eq 500')).toEqual([]);
    expect(await ids(`/Activity_SalesOpportunity?$filter=Activity/ID eq ${deals.B1}`)).toEqual([]);
    expect(await ids('/Activity_SalesOpportunity?$filter=Activity eq null')).toEqual(named('A1', 'A2'));
    expect(await ids('/Activity_SalesOpportunity?$filter=Activity/Subject eq null')).toEqual(
      named('A1', 'A2'),
    );
    expect(await ids('/Activity_SalesOpportunity?$filter=LinkedActivities/any(l: l/Amount eq 500)')).toEqual(
      [],
    );
    expect(await ids('/Activity_SalesOpportunity?$filter=LinkedActivities/any()')).toEqual(named('A1'));
    expect(await ids('/Activity_SalesOpportunity?$filter=LinkedActivities/all(l: l/Amount lt 100)')).toEqual(
      named('A1', 'A2', 'U1'),
    );
    expect(await ids('/Activity_SalesOpportunity?$filter=LinkedActivities/$count eq 1')).toEqual(named('A1'));
    expect(
      await ids(
        '/Activity_SalesOpportunity?$filter=LinkedActivities/any(l: l/ProductLines/any(p: p/Price eq 500))',
      ),
    ).toEqual([]);
    expect(await ids("/ProductLine?$filter=Activity/Activity/Subject eq 'Deal A1'")).toEqual([lines.U1]);
    expect(await ids('/TimeRegistration?$filter=Activity/LinkedActivities/$count gt 1')).toEqual([]);
  });

  it('orders by a hidden value as by none', async () => {
    // A2's parent (Bob's B1, amount 500) reads as none, like A1's: the second key decides, both ways
    // (a leak would put A2 first one way or the other, as nulls sort first or last)
    for (const direction of ['asc', 'desc']) {
      const rows = await values(
        `/Activity_SalesOpportunity?$select=ID&$filter=Activity eq null&$orderby=Activity/Amount ${direction},EstimatedAmount`,
      );
      expect(rows.map((r) => r.ID)).toEqual([deals.A1, deals.A2]);
    }
  });
});

describe('$apply', () => {
  const apply = async (path: string, as = anna.token) => values(path, as);

  it('sums and counts the visible deals only', async () => {
    const [total] = await apply(
      '/Activity_SalesOpportunity?$apply=aggregate(EstimatedAmount with sum as Total,$count as N,EstimatedAmount with max as Largest)',
    );
    expect(total).toMatchObject({ Total: amounts.A1 + amounts.A2 + amounts.U1, N: 3, Largest: amounts.U1 });
    const [viaBase] = await apply('/Activity?$apply=aggregate($count as N)');
    expect(viaBase.N).toBe(3);
  });

  it('groups only visible deals, by sales rep and through navigation', async () => {
    const groups = await apply(
      '/Activity_SalesOpportunity?$apply=groupby((SalesRepresentative/ID),aggregate($count as N,EstimatedAmount with sum as Total))',
    );
    const byRep = Object.fromEntries(groups.map((g) => [g.SalesRepresentative.ID ?? 'none', g]));
    expect(Object.keys(byRep).sort()).toEqual([anna.person.employeeId, 'none'].sort());
    expect(byRep[anna.person.employeeId!]).toMatchObject({ N: 2, Total: amounts.A1 + amounts.A2 });
    expect(byRep.none).toMatchObject({ N: 1, Total: amounts.U1 });
    const paged = await asAnna(
      '/Activity_SalesOpportunity?$apply=groupby((Subject),aggregate(EstimatedAmount with sum as Total))&$orderby=Total desc&$top=1&$count=true',
    );
    expect(paged.body['@odata.count']).toBe(3);
    expect(paged.body.value).toEqual([expect.objectContaining({ Subject: 'Deal U1', Total: amounts.U1 })]);
  });

  it('sums the visible lines only, also filtered through their deal and under a deal', async () => {
    const [lineTotal] = await apply('/ProductLine?$apply=aggregate(Price with sum as Total,$count as N)');
    expect(lineTotal).toMatchObject({ Total: prices.A1 + prices.U1, N: 2 });
    const [filtered] = await apply(
      '/ProductLine?$apply=filter(Activity/Amount gt 50)/aggregate(Price with sum as Total)',
    );
    expect(filtered.Total).toBe(prices.U1);
    const [under] = await apply(
      `/Activity_SalesOpportunity(${deals.A1})/LinkedActivities?$apply=aggregate($count as N)`,
    );
    expect(under.N).toBe(1);
  });
});

describe('writes under REP_SEES=own', () => {
  it('treat hidden deals as missing: 404 to change them, no link to them', async () => {
    expect(
      (await asAnna(`/Activity_SalesOpportunity(${deals.B1})`, { method: 'PATCH', json: { Subject: 'x' } }))
        .status,
    ).toBe(404);
    expect((await asAnna(`/ProductLine(${lines.B1})`, { method: 'DELETE' })).status).toBe(404);
    const line = await asAnna('/ProductLine', {
      method: 'POST',
      json: { Description: 'x', Activity: { ID: deals.B1 } },
    });
    expect(line.status).toBe(400);
    expect(line.body.error.code).toBe('LinkNotFound');
    const parent = await asAnna(`/Activity_SalesOpportunity(${deals.A1})`, {
      method: 'PATCH',
      json: { Activity: { ID: deals.B2 } },
    });
    expect(parent.status).toBe(400);
    const ref = await asAnna(`/Activity_SalesOpportunity(${deals.A1})/LinkedActivities/$ref`, {
      method: 'POST',
      json: { '@odata.id': `Activity(${deals.B2})` },
    });
    expect(ref.status).toBe(400);
    expect((await service.api(`/Activity_SalesOpportunity(${deals.B2})?$select=Subject`)).body.Subject).toBe(
      'Deal B2',
    );
  });

  it('refuse deletes that would reach into hidden deals without telling whose or how many', async () => {
    const contact = await create('/Relation_Person_Contact', { LastName: 'Shared' });
    await create('/Involved', { Role: 'User', Activity: { ID: deals.B2 }, Relation: { ID: contact } });
    const cascade = await asAnna(`/Relation_Person_Contact(${contact})`, { method: 'DELETE' });
    expect(cascade.status).toBe(403);
    expect(cascade.body.error.message).toBe(
      "Deleting this contact would also delete an involved party of another rep's deal: only they or a manager can change it",
    );
    const customer = await create('/Relationship_Organization', { Name: 'Bob only' });
    const extra: string[] = [];
    for (const name of ['first', 'second']) {
      extra.push(
        await create('/Activity_SalesOpportunity', {
          Subject: `Bob's ${name}`,
          Relationship: { ID: customer },
          SalesRepresentative: { ID: bob.person.employeeId },
        }),
      );
    }
    const linked = await asAnna(`/Relationship_Organization(${customer})`, { method: 'DELETE' });
    expect(linked.status).toBe(409);
    expect(linked.body.error.message).toBe(
      'Cannot delete this Relationship.Organization: Activity record(s) link to it through Relationship; relink or delete them first',
    );
    const asManager = await service.api(`/Relationship_Organization(${customer})`, {
      method: 'DELETE',
      as: manager.token,
    });
    expect(asManager.body.error.message).toMatch(/: 2 Activity record\(s\) link to it/);
    // the other tests count Bob's deals: these go again
    for (const id of extra) {
      expect((await service.api(`/Activity_SalesOpportunity(${id})`, { method: 'DELETE' })).status).toBe(204);
    }
  });

  it('still let a rep work on their own and unassigned deals', async () => {
    const own = await asAnna(`/Activity_SalesOpportunity(${deals.A1})`, {
      method: 'PATCH',
      json: { Probability: 40 },
    });
    expect(own.status, own.text).toBe(200);
    const open = await asAnna(`/Activity_SalesOpportunity(${deals.U1})/Probability`, {
      method: 'PUT',
      json: { value: 30 },
    });
    expect(open.status, open.text).toBe(204);
  });
});

describe('others under REP_SEES=own', () => {
  it('a manager sees every deal, line and total', async () => {
    const response = await service.api('/Activity_SalesOpportunity?$count=true&$select=ID', {
      as: manager.token,
    });
    expect(response.body['@odata.count']).toBe(5);
    const [total] = await values(
      '/Activity_SalesOpportunity?$apply=aggregate(EstimatedAmount with sum as Total)',
      manager.token,
    );
    expect(total.Total).toBe(Object.values(amounts).reduce((a, b) => a + b));
    expect((await service.api('/ProductLine/$count', { as: manager.token })).text).toBe('4');
    expect((await service.api(`/Activity_SalesOpportunity(${deals.B1})`, { as: manager.token })).status).toBe(
      200,
    );
    expect(await ids(`/Activity_SalesOpportunity(${deals.A1})/LinkedActivities`, manager.token)).toEqual(
      named('B1', 'U1'),
    );
  });

  it('the other rep sees their own deals and the unassigned one', async () => {
    expect(await ids('/Activity_SalesOpportunity', bob.token)).toEqual(named('B1', 'B2', 'U1'));
    const [total] = await values('/ProductLine?$apply=aggregate(Price with sum as Total)', bob.token);
    expect(total.Total).toBe(prices.B1 + prices.B2 + prices.U1);
    // Bob's B1 hangs under Anna's A1: hidden from him
    expect(
      (await service.api(`/Activity_SalesOpportunity(${deals.B1})/Activity`, { as: bob.token })).status,
    ).toBe(204);
  });
});
