// Writes through real HTTP against the running service and a real SQLite database.
import { beforeAll, describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';

const service = withTestService();
const api = (path: string, init?: Parameters<typeof service.api>[1]) => service.api(path, init);

let phases: Record<string, { ID: string; Probability: number; PipelineID?: string }>;
let customerId: string;

async function createOpportunity(body: Record<string, unknown> = {}) {
  const response = await api('/Activity_SalesOpportunity', {
    method: 'POST',
    json: {
      Subject: 'Fleet tracking for Acme',
      EstimatedAmount: 20000,
      Relationship: { ID: customerId },
      ...body,
    },
  });
  expect(response.status, response.text).toBe(201);
  return response;
}

beforeAll(async () => {
  const phaseList = await api('/Datastore_Phase_ActivitySalesOpportunity?$expand=Pipeline($select=Name)');
  phases = Object.fromEntries(phaseList.body.value.map((p: any) => [p.Code, p]));
  const customer = await api('/Relationship_Organization', { method: 'POST', json: { Name: 'Acme BV' } });
  customerId = customer.body.ID;
});

describe('POST creates', () => {
  it('answers 201 with Location, ETag and the entity with its server values', async () => {
    const { headers, body } = await createOpportunity({ ExpectedOrderDate: '2027-03-31' });
    expect(headers.get('location')).toBe(
      `${service.server.serviceRoot}/Activity_SalesOpportunity(${body.ID})`,
    );
    expect(headers.get('etag')).toBe(body['@odata.etag']);
    expect(body).toMatchObject({
      _Type: 'Activity.SalesOpportunity',
      _Name: 'Fleet tracking for Acme',
      RelationDescription: 'Acme BV',
      Currency: 'EUR',
      IsClosed: false,
      ExpectedOrderDate: '2027-03-31',
    });
    expect(body.Number).toMatch(/^\d{4}-\d{5}$/);
    // no pipeline or phase given: the first pipeline's first phase, and its probability
    expect(body.Probability).toBe(phases.Lead.Probability);
    expect(body.WeightedAmount).toBe((20000 * phases.Lead.Probability) / 100);
    const read = await api(`/Activity_SalesOpportunity(${body.ID})?$expand=Phase,Pipeline`);
    expect(read.body.Phase.Code).toBe('Lead');
    expect(read.body.Pipeline.Name).toBe('New business');
  });

  it('numbers activities uniquely, in sequence, also when created at once', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createOpportunity({ Subject: `Deal ${i}` })),
    );
    const numbers = created.map((r) => r.body.Number);
    expect(new Set(numbers).size).toBe(12);
    const sequence = numbers.map((n: string) => Number(n.slice(5))).sort((a: number, b: number) => a - b);
    expect(sequence.at(-1)! - sequence[0]).toBe(11);
  });

  it('answers 204 with Location for Prefer: return=minimal', async () => {
    const response = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      headers: { Prefer: 'return=minimal' },
      json: { Subject: 'Minimal' },
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(response.headers.get('location')).toMatch(/Activity_SalesOpportunity\([0-9a-f-]{36}\)$/);
    expect(response.headers.get('preference-applied')).toBe('return=minimal');
  });

  it('updates instead when the body carries an existing ID (the hosted API clients upsert)', async () => {
    const { body } = await createOpportunity();
    const again = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { ID: body.ID, Subject: 'Renamed' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      ID: body.ID,
      Subject: 'Renamed',
      Number: body.Number,
      EstimatedAmount: 20000,
    });
  });

  it('creates once per ImportId: a retried create updates the same record', async () => {
    const first = await createOpportunity({ ImportId: 'crm-7781', Subject: 'Imported' });
    const retry = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { ImportId: 'crm-7781', Subject: 'Imported again' },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.ID).toBe(first.body.ID);
    const count = await api(`/Activity_SalesOpportunity/$count?$filter=ImportId eq 'crm-7781'`);
    expect(count.text).toBe('1');
  });

  it('accepts links as @odata.bind as well as nested {"ID"}', async () => {
    const { body } = await createOpportunity({
      'Phase@odata.bind': `Datastore_Phase_ActivitySalesOpportunity(${phases.Proposal.ID})`,
      Relationship: null,
      'Relationship@odata.bind': `${service.server.serviceRoot}/Relationship_Organization(${customerId})`,
    });
    expect(body.Probability).toBe(phases.Proposal.Probability);
    const read = await api(
      `/Activity_SalesOpportunity(${body.ID})?$expand=Phase($select=Code),Relationship($select=Name)`,
    );
    expect(read.body.Phase.Code).toBe('Proposal');
    expect(read.body.Relationship.Name).toBe('Acme BV');
  });

  it("creates through a navigation: POST to an opportunity's ProductLines links the line", async () => {
    const { body } = await createOpportunity();
    const line = await api(`/Activity_SalesOpportunity(${body.ID})/ProductLines`, {
      method: 'POST',
      json: { Description: 'Onboarding', Quantity: 2, Price: 750 },
    });
    expect(line.status).toBe(201);
    const lines = await api(`/Activity_SalesOpportunity(${body.ID})/ProductLines`);
    expect(lines.body.value.map((l: any) => l.Description)).toEqual(['Onboarding']);
  });

  it('refuses to create through an abstract base set, naming the concrete sets', async () => {
    const response = await api('/Relationship', { method: 'POST', json: { Name: 'Nobody' } });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/Relationship_Organization/);
    const typed = await api('/Relationship', {
      method: 'POST',
      json: { '@odata.type': '#Dealdeck.Relationship_Organization_Competitor', Name: 'Rivals Inc' },
    });
    expect(typed.status).toBe(201);
    expect(typed.body._Type).toBe('Relationship.Organization.Competitor');
  });
});

describe('PATCH and PUT update only what they carry', () => {
  it('PATCH merges, bumps the ETag and LastMutationDate', async () => {
    const { body } = await createOpportunity({ ExpectedOrderDate: '2027-01-15' });
    const patched = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { EstimatedAmount: 5000 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      EstimatedAmount: 5000,
      ExpectedOrderDate: '2027-01-15',
      Subject: body.Subject,
    });
    expect(patched.body.WeightedAmount).toBe((5000 * body.Probability) / 100);
    expect(patched.body['@odata.etag']).not.toBe(body['@odata.etag']);
    expect(patched.body.LastMutationDate >= body.LastMutationDate).toBe(true);
    expect(patched.body.CreationDate).toBe(body.CreationDate);
  });

  it('PUT is a partial update too, as in the hosted API', async () => {
    const { body } = await createOpportunity({ ExpectedOrderDate: '2027-02-01' });
    const put = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PUT',
      json: { Subject: 'Only the subject' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      Subject: 'Only the subject',
      ExpectedOrderDate: '2027-02-01',
      EstimatedAmount: 20000,
    });
  });

  it('a property can be written on its own', async () => {
    const { body } = await createOpportunity();
    const response = await api(`/Activity_SalesOpportunity(${body.ID})/Subject`, {
      method: 'PUT',
      json: { value: 'Via property' },
    });
    expect(response.status).toBe(204);
    const value = await api(`/Activity_SalesOpportunity(${body.ID})/Subject/$value`);
    expect(value.text).toBe('Via property');
  });
});

describe('phases drive probability and closing', () => {
  it('moving to a phase sets its default probability unless the write sets one', async () => {
    const { body } = await createOpportunity();
    const moved = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Negotiation.ID } },
    });
    expect(moved.body.Probability).toBe(phases.Negotiation.Probability);
    const overridden = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Proposal.ID }, Probability: 55 },
    });
    expect(overridden.body.Probability).toBe(55);
    expect(overridden.body.WeightedAmount).toBe(11000);
  });

  it('a won phase closes at 100, a lost phase at 0, and reopening follows the new phase', async () => {
    const { body } = await createOpportunity();
    const won = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Won.ID } },
    });
    expect(won.body).toMatchObject({ Probability: 100, IsClosed: true, WeightedAmount: 20000 });
    const lost = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Lost.ID } },
    });
    expect(lost.body).toMatchObject({ Probability: 0, IsClosed: true, WeightedAmount: 0 });
    const reopened = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Qualified.ID } },
    });
    expect(reopened.body).toMatchObject({ Probability: phases.Qualified.Probability, IsClosed: false });
  });

  it('refuses a probability that contradicts a won phase, and changes nothing', async () => {
    const { body } = await createOpportunity();
    const response = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Won.ID }, Probability: 40 },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.target).toBe('Probability');
    const after = await api(`/Activity_SalesOpportunity(${body.ID})`);
    expect(after.body['@odata.etag']).toBe(body['@odata.etag']);
  });

  it('refuses a phase of another pipeline', async () => {
    const { body } = await createOpportunity();
    const response = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Phase: { ID: phases.Pilot.ID } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/another pipeline/);
  });
});

describe('totals follow the product lines', () => {
  it('after every create, update and delete of a line', async () => {
    const { body } = await createOpportunity();
    const id = body.ID;
    const add = (json: Record<string, unknown>) =>
      api('/ProductLine', { method: 'POST', json: { Activity: { ID: id }, ...json } });
    const a = await add({
      Description: 'Licences',
      Quantity: 10,
      Price: 100,
      VatPercentage: 21,
      PurchasePrice: 40,
    });
    const b = await add({
      Description: 'Training',
      Quantity: 2,
      Price: 500,
      DiscountPercentage: 10,
      VatPercentage: 9,
    });
    expect(a.body).toMatchObject({
      TotalExcludingVat: 1000,
      TotalIncludingVat: 1210,
      VatAmount: 210,
      Currency: 'EUR',
    });
    expect(b.body).toMatchObject({ TotalExcludingVat: 900, TotalIncludingVat: 981, VatAmount: 81 });
    let totals = (await api(`/Activity_SalesOpportunity(${id})`)).body;
    expect(totals).toMatchObject({
      NumberOfProductLines: 2,
      Amount: 1900,
      TotalSalesExcludingVAT: 1900,
      TotalSalesIncludingVAT: 2191,
      VatAmount: 291,
      TotalDiscountExcludingVAT: 100,
      TotalPurchaseAmount: 400,
      TotalMargin: 1500,
    });
    await api(`/ProductLine(${a.body.ID})`, { method: 'PATCH', json: { Quantity: 5 } });
    totals = (await api(`/Activity_SalesOpportunity(${id})`)).body;
    expect(totals).toMatchObject({ Amount: 1400, TotalPurchaseAmount: 200, TotalMargin: 1200 });
    await api(`/ProductLine(${b.body.ID})`, { method: 'DELETE' });
    totals = (await api(`/Activity_SalesOpportunity(${id})`)).body;
    expect(totals).toMatchObject({ NumberOfProductLines: 1, Amount: 500, TotalSalesIncludingVAT: 605 });
  });

  it('prices including VAT and a currency change reach the lines', async () => {
    const { body } = await createOpportunity({ IsVatIncluded: true });
    await api('/ProductLine', {
      method: 'POST',
      json: { Activity: { ID: body.ID }, Description: 'Support', Quantity: 1, Price: 121, VatPercentage: 21 },
    });
    let totals = (await api(`/Activity_SalesOpportunity(${body.ID})`)).body;
    expect(totals).toMatchObject({ TotalSalesExcludingVAT: 100, TotalSalesIncludingVAT: 121 });
    await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      json: { Currency: 'USD', IsVatIncluded: false },
    });
    totals = (await api(`/Activity_SalesOpportunity(${body.ID})?$expand=ProductLines`)).body;
    expect(totals.ProductLines[0]).toMatchObject({ Currency: 'USD', TotalExcludingVat: 121 });
    expect(totals.TotalSalesIncludingVAT).toBe(146.41);
  });
});

describe('ETags and concurrency', () => {
  it('a stale If-Match gets 412 and changes nothing; the current one works', async () => {
    const { body } = await createOpportunity();
    const first = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      headers: { 'If-Match': body['@odata.etag'] },
      json: { Subject: 'First writer' },
    });
    expect(first.status).toBe(200);
    const stale = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'PATCH',
      headers: { 'If-Match': body['@odata.etag'] },
      json: { Subject: 'Second writer' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PreconditionFailed');
    const now = await api(`/Activity_SalesOpportunity(${body.ID})`);
    expect(now.body.Subject).toBe('First writer');
    const staleDelete = await api(`/Activity_SalesOpportunity(${body.ID})`, {
      method: 'DELETE',
      headers: { 'If-Match': body['@odata.etag'] },
    });
    expect(staleDelete.status).toBe(412);
  });

  it('of two concurrent writers with the same ETag exactly one wins; the other is told', async () => {
    const { body } = await createOpportunity();
    const results = await Promise.all(
      ['A', 'B', 'C', 'D'].map((who) =>
        api(`/Activity_SalesOpportunity(${body.ID})`, {
          method: 'PATCH',
          headers: { 'If-Match': body['@odata.etag'] },
          json: { Subject: `Writer ${who}` },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412]);
    const winner = results.find((r) => r.status === 200)!.body.Subject;
    expect((await api(`/Activity_SalesOpportunity(${body.ID})`)).body.Subject).toBe(winner);
  });

  it('concurrent partial updates without If-Match keep every field', async () => {
    const { body } = await createOpportunity();
    await Promise.all([
      api(`/Activity_SalesOpportunity(${body.ID})`, { method: 'PATCH', json: { Subject: 'Both kept' } }),
      api(`/Activity_SalesOpportunity(${body.ID})`, { method: 'PATCH', json: { EstimatedAmount: 777 } }),
      api(`/Activity_SalesOpportunity(${body.ID})`, {
        method: 'PATCH',
        json: { ExpectedOrderDate: '2027-07-07' },
      }),
    ]);
    const after = (await api(`/Activity_SalesOpportunity(${body.ID})`)).body;
    expect(after).toMatchObject({
      Subject: 'Both kept',
      EstimatedAmount: 777,
      ExpectedOrderDate: '2027-07-07',
    });
  });
});

describe('DELETE', () => {
  it('answers 204, takes the product lines along, and the record is gone', async () => {
    const { body } = await createOpportunity();
    const line = await api('/ProductLine', {
      method: 'POST',
      json: { Activity: { ID: body.ID }, Description: 'x', Price: 1 },
    });
    const response = await api(`/Activity_SalesOpportunity(${body.ID})`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect((await api(`/Activity_SalesOpportunity(${body.ID})`)).status).toBe(404);
    expect((await api(`/ProductLine(${line.body.ID})`)).status).toBe(404);
  });

  it('refuses with 409 while other records link to it', async () => {
    const response = await api(`/Datastore_Phase_ActivitySalesOpportunity(${phases.Lead.ID})`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/link to it through Phase/);
  });
});

describe('$ref writes links', () => {
  it('PUT and DELETE of a single-valued navigation link', async () => {
    const { body } = await createOpportunity();
    const reps = await api('/Relation_Person_Contact_Employee', {
      method: 'POST',
      json: { FirstName: 'Sanne', LastName: 'de Vries' },
    });
    const set = await api(`/Activity_SalesOpportunity(${body.ID})/SalesRepresentative/$ref`, {
      method: 'PUT',
      json: { '@odata.id': `Relation_Person_Contact_Employee(${reps.body.ID})` },
    });
    expect(set.status).toBe(204);
    const ref = await api(`/Activity_SalesOpportunity(${body.ID})/SalesRepresentative/$ref`);
    expect(ref.body['@odata.id']).toMatch(
      new RegExp(`Relation_Person_Contact_Employee\\(${reps.body.ID}\\)$`),
    );
    const rep = await api(`/Activity_SalesOpportunity(${body.ID})/SalesRepresentative?$select=_Name`);
    expect(rep.body._Name).toBe('Sanne de Vries');
    await api(`/Activity_SalesOpportunity(${body.ID})/SalesRepresentative/$ref`, { method: 'DELETE' });
    expect((await api(`/Activity_SalesOpportunity(${body.ID})/SalesRepresentative`)).status).toBe(204);
  });
});

describe('$ref on a collection navigation', () => {
  it('POST adds a member, DELETE with $id or a key removes it', async () => {
    const { body: first } = await createOpportunity({ Subject: 'Parent' });
    const { body: second } = await createOpportunity({ Subject: 'Other parent' });
    const line = await api('/ProductLine', {
      method: 'POST',
      json: { Activity: { ID: second.ID }, Description: 'Moves', Price: 100, VatPercentage: 0 },
    });
    const added = await api(`/Activity_SalesOpportunity(${first.ID})/ProductLines/$ref`, {
      method: 'POST',
      json: { '@odata.id': `${service.server.serviceRoot}/ProductLine(${line.body.ID})` },
    });
    expect(added.status).toBe(204);
    const refs = await api(`/Activity_SalesOpportunity(${first.ID})/ProductLines/$ref`);
    expect(refs.body.value).toEqual([
      { '@odata.id': `${service.server.serviceRoot}/ProductLine(${line.body.ID})` },
    ]);
    // the line moved: both activities' totals follow
    expect((await api(`/Activity_SalesOpportunity(${first.ID})`)).body.Amount).toBe(100);
    expect((await api(`/Activity_SalesOpportunity(${second.ID})`)).body.Amount).toBe(0);
    // a line must belong to an activity: unlinking it is refused, naming the field
    const removed = await api(
      `/Activity_SalesOpportunity(${first.ID})/ProductLines/$ref?$id=ProductLine(${line.body.ID})`,
      { method: 'DELETE' },
    );
    expect(removed.status).toBe(400);
    expect(removed.body.error.target).toBe('Activity');
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  let id: string;
  let etag: string;
  beforeAll(async () => {
    const { body } = await createOpportunity();
    id = body.ID;
    etag = body['@odata.etag'];
  });
  const expectUnchanged = async () => {
    expect((await api(`/Activity_SalesOpportunity(${id})`)).body['@odata.etag']).toBe(etag);
  };
  const patch = (json: unknown) => api(`/Activity_SalesOpportunity(${id})`, { method: 'PATCH', json });

  it.each([
    [{ Probability: 101 }, 'Probability', /at most 100/],
    [{ Probability: -1 }, 'Probability', /at least 0/],
    [{ Probability: '50' }, 'Probability', /number/],
    [{ EstimatedAmount: true }, 'EstimatedAmount', /number/],
    [{ ExpectedOrderDate: '31-12-2026' }, 'ExpectedOrderDate', /date/],
    [{ Subject: null }, 'Subject', /cannot be null/],
    [{ Subject: '   ' }, 'Subject', /must not be empty/],
    [{ Subject: 'x'.repeat(256) }, 'Subject', /at most 255/],
    [{ Currency: 'euro' }, 'Currency', /ISO 4217/],
    [{ Colour: 'red' }, 'Colour', /unknown property/],
    [{ WeightedAmount: 1 }, 'WeightedAmount', /computed by the server/],
    [{ Number: '2026-99999' }, 'Number', /computed by the server/],
    [{ Amount: 1 }, 'Amount', /computed by the server/],
    [
      { Phase: { ID: '00000000-0000-4000-8000-000000000000' } },
      'Phase',
      /no Datastore_Phase_ActivitySalesOpportunity/,
    ],
    [{ Phase: 'Won' }, 'Phase', /\{"ID": "<guid>"\}/],
    [
      { Relationship: { ID: '00000000-0000-4000-8000-000000000000' } },
      'Relationship',
      /no Relationship with ID/,
    ],
  ])('%j → 400 naming %s', async (json, target, message) => {
    const response = await patch(json);
    expect(response.status).toBe(400);
    expect(response.body.error.target).toBe(target);
    expect(response.body.error.message).toMatch(message);
    await expectUnchanged();
  });

  it('lists every invalid field at once', async () => {
    const response = await patch({ Probability: 200, Colour: 'red', Subject: '' });
    expect(response.body.error.details.map((d: any) => d.target)).toEqual([
      'Probability',
      'Colour',
      'Subject',
    ]);
    await expectUnchanged();
  });

  it('a link to a record of the wrong type is refused', async () => {
    const response = await patch({ Phase: { ID: customerId } });
    expect(response.status).toBe(400);
    expect(response.body.error.target).toBe('Phase');
    await expectUnchanged();
  });

  it('invalid JSON, a non-object body, and a wrong media type', async () => {
    const invalid = await api(`/Activity_SalesOpportunity(${id})`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: '{"Subject": ',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/not valid JSON/);
    expect((await patch([1, 2])).status).toBe(400);
    const form = await api(`/Activity_SalesOpportunity(${id})`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Subject=x',
    });
    expect(form.status).toBe(415);
    await expectUnchanged();
  });

  it('an oversized body gets 413', async () => {
    const response = await patch({ Subject: 'x', Padding: 'y'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PayloadTooLarge');
    await expectUnchanged();
  });

  it('a create missing what is required names it', async () => {
    const response = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { EstimatedAmount: 5 },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.target).toBe('Subject');
    const line = await api('/ProductLine', { method: 'POST', json: { Description: 'Orphan' } });
    expect(line.status).toBe(400);
    expect(line.body.error.target).toBe('Activity');
  });

  it('the body ID must match the URL key', async () => {
    const response = await patch({ ID: '00000000-0000-4000-8000-000000000000' });
    expect(response.status).toBe(400);
    expect(response.body.error.target).toBe('ID');
  });
});
