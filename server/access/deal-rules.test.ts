// Who may change what, through HTTP (REP_SEES=all, the default: everyone reads everything):
// reps change their own and unassigned deals and the records of those deals, managers and
// admins every deal, only admins the reference data; contacts and organisations everyone.
import { beforeAll, describe, expect, it } from 'vitest';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { type TestRequestInit, withTestService } from '../test-support/test-service.ts';

const service = withTestService();
const api = (path: string, init?: TestRequestInit) => service.api(path, init);

let sophie: TestPerson;
let daan: TestPerson;
let manager: TestPerson;
let admin: TestPerson;
let customerId: string;
let phases: Record<string, string>;

const ownerMessage = /^This deal belongs to Sophie van der Meer: only they or a manager can change it$/;

async function created(path: string, json: Record<string, unknown>, as?: string) {
  const response = await api(path, { method: 'POST', json, as });
  expect(response.status, response.text).toBe(201);
  return response.body as Record<string, any>;
}

/** A deal created by the service token, assigned as given (null: unassigned). */
async function deal(owner: TestPerson | null, subject = 'A deal') {
  return created('/Activity_SalesOpportunity', {
    Subject: subject,
    EstimatedAmount: 1000,
    Relationship: { ID: customerId },
    SalesRepresentative: owner ? { ID: owner.person.employeeId } : null,
  });
}

const line = (dealId: string, as?: string) =>
  api('/ProductLine', {
    method: 'POST',
    json: { Description: 'Licences', Quantity: 2, Price: 50, Activity: { ID: dealId } },
    as,
  });

const ownerOf = async (id: string) =>
  (await api(`/Activity_SalesOpportunity(${id})?$expand=SalesRepresentative($select=ID)`)).body
    .SalesRepresentative?.ID ?? null;

beforeAll(async () => {
  sophie = await addTestPerson(service, 'rep', 'Sophie van der Meer');
  daan = await addTestPerson(service, 'rep', 'Daan Jansen');
  manager = await addTestPerson(service, 'manager', 'Mira Manager');
  admin = await addTestPerson(service, 'admin', 'Ada Admin');
  customerId = (await created('/Relationship_Organization', { Name: 'Acme BV' })).ID;
  const phaseList = await api('/Datastore_Phase_ActivitySalesOpportunity');
  phases = Object.fromEntries(phaseList.body.value.map((p: any) => [p.Code, p.ID]));
});

describe("a rep and another rep's deal", () => {
  let sophies: Record<string, any>;
  let sophiesLine: Record<string, any>;
  beforeAll(async () => {
    sophies = await deal(sophie, "Sophie's deal");
    const response = await line(sophies.ID);
    expect(response.status, response.text).toBe(201);
    sophiesLine = response.body;
    // as it is now: the line changed its totals
    sophies = (await api(`/Activity_SalesOpportunity(${sophies.ID})`)).body;
  });

  const refused = async (response: Awaited<ReturnType<typeof api>>, message = ownerMessage) => {
    expect(response.status, response.text).toBe(403);
    expect(response.body.error.code).toBe('NotYourDeal');
    expect(response.body.error.message).toMatch(message);
  };

  it('cannot edit, move or delete it: 403 naming the owner, and nothing changes', async () => {
    const as = daan.token;
    const path = `/Activity_SalesOpportunity(${sophies.ID})`;
    await refused(await api(path, { method: 'PATCH', json: { Subject: 'Mine now' }, as }));
    await refused(await api(path, { method: 'PUT', json: { EstimatedAmount: 1 }, as }));
    await refused(await api(path, { method: 'PATCH', json: { Phase: { ID: phases.Won } }, as }));
    await refused(await api(`/Activity(${sophies.ID})`, { method: 'PATCH', json: { Subject: 'x' }, as }));
    await refused(await api(path, { method: 'DELETE', as }));
    // a POST that names its ID updates that record: the same rule
    await refused(
      await api('/Activity_SalesOpportunity', { method: 'POST', json: { ID: sophies.ID, Subject: 'x' }, as }),
    );
    const after = await api(path);
    expect(after.body).toMatchObject({ Subject: "Sophie's deal", EstimatedAmount: 1000 });
    expect(after.body['@odata.etag']).toBe(sophies['@odata.etag']);
  });

  it('cannot take it, even by writing only the owner', async () => {
    const as = daan.token;
    const path = `/Activity_SalesOpportunity(${sophies.ID})`;
    await refused(
      await api(path, { method: 'PATCH', json: { SalesRepresentative: { ID: daan.person.employeeId } }, as }),
    );
    await refused(await api(path, { method: 'PATCH', json: { SalesRepresentative: null }, as }));
    expect(await ownerOf(sophies.ID)).toBe(sophie.person.employeeId);
  });

  it('cannot write its properties or links one by one', async () => {
    const as = daan.token;
    const path = `/Activity_SalesOpportunity(${sophies.ID})`;
    await refused(await api(`${path}/Subject`, { method: 'PUT', json: { value: 'x' }, as }));
    await refused(await api(`${path}/ExpectedOrderDate`, { method: 'DELETE', as }));
    await refused(
      await api(`${path}/Phase/$ref`, {
        method: 'PUT',
        json: { '@odata.id': `Datastore_Phase_ActivitySalesOpportunity(${phases.Won})` },
        as,
      }),
    );
    await refused(await api(`${path}/Relationship/$ref`, { method: 'DELETE', as }));
  });

  it('cannot add, change, move or delete its product lines', async () => {
    const as = daan.token;
    const lineRefusal =
      /^This product line is part of a deal that belongs to Sophie van der Meer: only they or a manager can change it$/;
    await refused(await line(sophies.ID, as), lineRefusal);
    await refused(
      await api(`/Activity_SalesOpportunity(${sophies.ID})/ProductLines`, {
        method: 'POST',
        json: { Description: 'Sneaked in' },
        as,
      }),
      lineRefusal,
    );
    await refused(
      await api(`/ProductLine(${sophiesLine.ID})`, { method: 'PATCH', json: { Price: 1 }, as }),
      lineRefusal,
    );
    await refused(await api(`/ProductLine(${sophiesLine.ID})`, { method: 'DELETE', as }), lineRefusal);
    // moving the line to a deal of their own takes it away from Sophie's deal
    const own = await deal(daan);
    await refused(
      await api(`/ProductLine(${sophiesLine.ID})`, {
        method: 'PATCH',
        json: { Activity: { ID: own.ID } },
        as,
      }),
      lineRefusal,
    );
    // nor moving a line of their own onto Sophie's deal
    const ownLine = (await line(own.ID, as)).body;
    await refused(
      await api(`/ProductLine(${ownLine.ID})`, {
        method: 'PATCH',
        json: { Activity: { ID: sophies.ID } },
        as,
      }),
      lineRefusal,
    );
    const lines = await api(`/Activity_SalesOpportunity(${sophies.ID})/ProductLines`);
    expect(lines.body.value.map((l: any) => l.ID)).toEqual([sophiesLine.ID]);
    expect(lines.body.value[0].Price).toBe(50);
  });

  it('cannot write its involved parties or time registrations', async () => {
    const as = daan.token;
    const contact = await created('/Relation_Person_Contact', { LastName: 'Buyer' });
    await refused(
      await api('/Involved', {
        method: 'POST',
        json: { Role: 'Decision maker', Activity: { ID: sophies.ID }, Relation: { ID: contact.ID } },
        as,
      }),
      /^This involved party is part of a deal that belongs to Sophie van der Meer/,
    );
    await refused(
      await api('/TimeRegistration', {
        method: 'POST',
        json: { Date: '2026-05-01', Hours: 2, Activity: { ID: sophies.ID } },
        as,
      }),
      /^This time registration is part of a deal that belongs to Sophie van der Meer/,
    );
  });

  it("cannot link another rep's deal under their own through $ref (that writes Sophie's deal)", async () => {
    const own = await deal(daan);
    await refused(
      await api(`/Activity_SalesOpportunity(${own.ID})/LinkedActivities/$ref`, {
        method: 'POST',
        json: { '@odata.id': `Activity(${sophies.ID})` },
        as: daan.token,
      }),
    );
  });

  it('may still read it', async () => {
    const response = await api(`/Activity_SalesOpportunity(${sophies.ID})?$expand=ProductLines`, {
      as: daan.token,
    });
    expect(response.status).toBe(200);
    expect(response.body.ProductLines).toHaveLength(1);
  });
});

describe('a rep and their own or an unassigned deal', () => {
  it('edits, moves and deletes their own deal and its product lines', async () => {
    const as = daan.token;
    const own = await deal(daan);
    const path = `/Activity_SalesOpportunity(${own.ID})`;
    const edited = await api(path, {
      method: 'PATCH',
      json: { Subject: 'Renamed', Phase: { ID: phases.Won } },
      as,
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ Subject: 'Renamed', Probability: 100, IsClosed: true });
    const added = await line(own.ID, as);
    expect(added.status, added.text).toBe(201);
    expect((await api(`${path}/Subject`, { method: 'PUT', json: { value: 'Again' }, as })).status).toBe(204);
    expect((await api(`/ProductLine(${added.body.ID})`, { method: 'DELETE', as })).status).toBe(204);
    expect((await api(path, { method: 'DELETE', as })).status).toBe(204);
  });

  it('edits an unassigned deal, takes it, and leaves their own unassigned', async () => {
    const as = daan.token;
    const open = await deal(null);
    const path = `/Activity_SalesOpportunity(${open.ID})`;
    expect((await api(path, { method: 'PATCH', json: { EstimatedAmount: 5000 }, as })).status).toBe(200);
    expect((await line(open.ID, as)).status).toBe(201);
    const taken = await api(path, {
      method: 'PATCH',
      json: { SalesRepresentative: { ID: daan.person.employeeId } },
      as,
    });
    expect(taken.status, taken.text).toBe(200);
    expect(await ownerOf(open.ID)).toBe(daan.person.employeeId);
    const left = await api(`${path}/SalesRepresentative/$ref`, { method: 'DELETE', as });
    expect(left.status, left.text).toBe(204);
    expect(await ownerOf(open.ID)).toBeNull();
  });

  it('cannot give their own deal to another rep', async () => {
    const as = daan.token;
    const own = await deal(daan);
    const response = await api(`/Activity_SalesOpportunity(${own.ID})`, {
      method: 'PATCH',
      json: { SalesRepresentative: { ID: sophie.person.employeeId } },
      as,
    });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'A rep can take a deal or leave it unassigned, not assign it to Sophie van der Meer: only a manager can',
    );
    expect(await ownerOf(own.ID)).toBe(daan.person.employeeId);
  });
});

describe('a rep creating deals', () => {
  it('gets a deal of their own when the body names no sales rep', async () => {
    const body = await created('/Activity_SalesOpportunity', { Subject: 'New lead' }, daan.token);
    expect(await ownerOf(body.ID)).toBe(daan.person.employeeId);
    const viaBase = await created(
      '/Activity',
      { '@odata.type': '#Activity.SalesOpportunity', Subject: 'Through the base set' },
      daan.token,
    );
    expect(await ownerOf(viaBase.ID)).toBe(daan.person.employeeId);
  });

  it('may choose an unassigned one, or name themself', async () => {
    const open = await created(
      '/Activity_SalesOpportunity',
      { Subject: 'Open', SalesRepresentative: null },
      daan.token,
    );
    expect(await ownerOf(open.ID)).toBeNull();
    const named = await created(
      '/Activity_SalesOpportunity',
      {
        Subject: 'Named',
        'SalesRepresentative@odata.bind': `Relation_Person_Contact_Employee(${daan.person.employeeId})`,
      },
      daan.token,
    );
    expect(await ownerOf(named.ID)).toBe(daan.person.employeeId);
  });

  it('may not create one for another rep', async () => {
    const before = (await api('/Activity_SalesOpportunity/$count')).text;
    const response = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'For Sophie', SalesRepresentative: { ID: sophie.person.employeeId } },
      as: daan.token,
    });
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'NotYourDeal', target: 'SalesRepresentative' });
    expect(response.body.error.message).toContain('Sophie van der Meer');
    expect((await api('/Activity_SalesOpportunity/$count')).text).toBe(before);
  });
});

describe('a rep without an employee record', () => {
  let loner: TestPerson;
  beforeAll(async () => {
    loner = await addTestPerson(service, 'rep', 'Lou Loner');
    await service.server.store.db
      .updateTable('person')
      .set({ EmployeeID: null })
      .where('ID', '=', loner.person.id)
      .execute();
  });

  it('owns nothing: writes unassigned deals only, and creates them unassigned', async () => {
    const as = loner.token;
    const open = await deal(null);
    expect(
      (await api(`/Activity_SalesOpportunity(${open.ID})`, { method: 'PATCH', json: { Subject: 'x' }, as }))
        .status,
    ).toBe(200);
    const sophies = await deal(sophie);
    const refused = await api(`/Activity_SalesOpportunity(${sophies.ID})`, {
      method: 'PATCH',
      json: { Subject: 'x' },
      as,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(ownerMessage);
    const mine = await created('/Activity_SalesOpportunity', { Subject: 'Nobody' }, as);
    expect(await ownerOf(mine.ID)).toBeNull();
    const taking = await api(`/Activity_SalesOpportunity(${open.ID})`, {
      method: 'PATCH',
      json: { SalesRepresentative: { ID: daan.person.employeeId } },
      as,
    });
    expect(taking.status).toBe(403);
    expect(taking.body.error.message).toMatch(/not linked to an employee record/);
  });
});

describe('managers and admins', () => {
  it.each([
    ['a manager', () => manager.token],
    ['an admin', () => admin.token],
    ['the API token', () => service.apiToken],
  ])('%s change, reassign and delete any deal and its lines', async (_who, token) => {
    const as = token();
    const sophies = await deal(sophie);
    const path = `/Activity_SalesOpportunity(${sophies.ID})`;
    const moved = await api(path, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Lost }, Subject: 'Lost it' },
      as,
    });
    expect(moved.status, moved.text).toBe(200);
    expect((await line(sophies.ID, as)).status).toBe(201);
    const given = await api(path, {
      method: 'PATCH',
      json: { SalesRepresentative: { ID: daan.person.employeeId } },
      as,
    });
    expect(given.status).toBe(200);
    expect(await ownerOf(sophies.ID)).toBe(daan.person.employeeId);
    const forOther = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'For Sophie', SalesRepresentative: { ID: sophie.person.employeeId } },
      as,
    });
    expect(forOther.status).toBe(201);
    expect((await api(path, { method: 'DELETE', as })).status).toBe(204);
  });

  it('a manager creates deals unassigned unless told otherwise', async () => {
    const body = await created('/Activity_SalesOpportunity', { Subject: 'Team lead' }, manager.token);
    expect(await ownerOf(body.ID)).toBeNull();
  });
});

describe('reference data', () => {
  const writes: [string, () => Promise<{ path: string; method: string; json?: Record<string, unknown> }>][] =
    [
      ['create a pipeline', async () => ({ path: '/Pipeline', method: 'POST', json: { Name: 'Partners' } })],
      [
        'rename a phase',
        async () => ({
          path: `/Datastore_Phase_ActivitySalesOpportunity(${phases.Lead})`,
          method: 'PATCH',
          json: { Name: 'Lead' },
        }),
      ],
      [
        'create a source',
        async () => ({ path: '/Datastore_Source', method: 'POST', json: { Name: 'Fair' } }),
      ],
      [
        'create a lost reason',
        async () => ({ path: '/Datastore_LostReason', method: 'POST', json: { Name: 'Timing' } }),
      ],
      ['create a price list', async () => ({ path: '/PriceList', method: 'POST', json: { Name: 'Retail' } })],
      [
        'create a product',
        async () => ({ path: '/Product', method: 'POST', json: { Name: 'Widget', Price: 5 } }),
      ],
      [
        'create an employee',
        async () => ({
          path: '/Relation_Person_Contact_Employee',
          method: 'POST',
          json: { LastName: 'Newhire' },
        }),
      ],
      [
        'create an employee through the contacts',
        async () => ({
          path: '/Relation_Person_Contact',
          method: 'POST',
          json: { '@odata.type': '#Relation.Person.Contact.Employee', LastName: 'Sneaky' },
        }),
      ],
      [
        'edit an employee through the contacts',
        async () => ({
          path: `/Relation_Person_Contact(${sophie.person.employeeId})`,
          method: 'PATCH',
          json: { JobTitle: 'Boss' },
        }),
      ],
    ];

  it.each(writes)('a rep and a manager may not %s (403), an admin may', async (_what, request) => {
    const { path, method, json } = await request();
    for (const who of [daan, manager]) {
      const response = await api(path, { method, json, as: who.token });
      expect(response.status, response.text).toBe(403);
      expect(response.body.error.code).toBe('AdminOnly');
      expect(response.body.error.message).toMatch(/are reference data: only an admin can change them/);
    }
    const response = await api(path, { method, json, as: admin.token });
    expect(response.status, response.text).toBe(method === 'POST' ? 201 : 200);
  });

  it('names what was refused', async () => {
    const response = await api('/Product', { method: 'POST', json: { Name: 'x' }, as: manager.token });
    expect(response.body.error.message).toBe(
      'Products are reference data: only an admin can change them (you are signed in as a manager)',
    );
  });
});

describe('contacts and organisations', () => {
  it('every role writes them', async () => {
    for (const who of [daan, manager, admin]) {
      const organisation = await created(
        '/Relationship_Organization',
        { Name: `Org of ${who.person.name}` },
        who.token,
      );
      const contact = await created(
        '/Relation_Person_Contact',
        { LastName: 'Contact', Organization: { ID: organisation.ID } },
        who.token,
      );
      const renamed = await api(`/Relation_Person_Contact(${contact.ID})`, {
        method: 'PATCH',
        json: { FirstName: 'Kim' },
        as: who.token,
      });
      expect(renamed.status).toBe(200);
      expect(
        (await api(`/Relation_Person_Contact(${contact.ID})`, { method: 'DELETE', as: who.token })).status,
      ).toBe(204);
    }
  });

  it("a rep may not delete a contact involved in another rep's deal (it would go from the deal)", async () => {
    const contact = await created('/Relation_Person_Contact', { LastName: 'Involved' });
    const sophies = await deal(sophie);
    await created('/Involved', { Role: 'User', Activity: { ID: sophies.ID }, Relation: { ID: contact.ID } });
    const refused = await api(`/Relation_Person_Contact(${contact.ID})`, {
      method: 'DELETE',
      as: daan.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'Deleting this contact would also delete an involved party of a deal of Sophie van der Meer: only they or a manager can change it',
    );
    expect((await api(`/Activity_SalesOpportunity(${sophies.ID})/Involved/$count`)).text).toBe('1');
    // on their own deal it may go
    const other = await created('/Relation_Person_Contact', { LastName: 'Mine' });
    const own = await deal(daan);
    await created('/Involved', { Role: 'User', Activity: { ID: own.ID }, Relation: { ID: other.ID } });
    expect(
      (await api(`/Relation_Person_Contact(${other.ID})`, { method: 'DELETE', as: daan.token })).status,
    ).toBe(204);
  });
});
