// The running service driven by two real OData client libraries from npm, as a third-party
// integrator would: @odata/client (light-odata, fetch based) and ts-odatajs (Apache Olingo's
// OData JS client, node:http based). Each loads $metadata, queries with the seed's options, reads
// one record by key, and creates, updates and deletes one, checking that the values round-trip.

import { EdmV4, OData } from '@odata/client';
import odatajs from 'ts-odatajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';

const service = withTestService();
const root = () => service.server.serviceRoot;

let customerId: string;
let phases: Record<string, { ID: string; Code: string; Probability: number }>;
/** the fixtures' opportunities, by Subject */
let seeded: Record<string, { ID: string; Probability: number }>;

const fixtures = [
  { Subject: 'Client test: fleet tracking', Phase: 'Lead', Probability: 20, EstimatedAmount: 10000 },
  { Subject: 'Client test: warehouse scanners', Phase: 'Proposal', Probability: 60, EstimatedAmount: 25000 },
  { Subject: 'Client test: route planning', Phase: 'Negotiation', Probability: 80, EstimatedAmount: 40000 },
  { Subject: 'Client test: driver app', Phase: 'Proposal', Probability: 55, EstimatedAmount: 5000 },
];
/** the service rounds computed amounts to cents */
const cents = (amount: number) => Math.round(amount * 100) / 100;
const aboveFifty = fixtures.filter((f) => f.Probability > 50).sort((a, b) => b.Probability - a.Probability);

beforeAll(async () => {
  const phaseList = await service.api(
    `${root()}/Datastore_Phase_ActivitySalesOpportunity?$select=ID,Code,Probability`,
  );
  expect(phaseList.status, phaseList.text).toBe(200);
  phases = Object.fromEntries(phaseList.body.value.map((p: any) => [p.Code, p]));
  const customer = await service.api(`${root()}/Relationship_Organization`, {
    method: 'POST',
    json: { Name: 'Client Libraries BV' },
  });
  expect(customer.status, customer.text).toBe(201);
  customerId = customer.body.ID;
  seeded = {};
  for (const f of fixtures) {
    const created = await service.api(`${root()}/Activity_SalesOpportunity`, {
      method: 'POST',
      json: {
        Subject: f.Subject,
        EstimatedAmount: f.EstimatedAmount,
        Probability: f.Probability,
        Relationship: { ID: customerId },
        Phase: { ID: phases[f.Phase].ID },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.Probability).toBe(f.Probability);
    seeded[f.Subject] = created.body;
  }
});

interface Opportunity {
  ID: string;
  Subject: string;
  Probability: number | null;
  EstimatedAmount: number | null;
  WeightedAmount: number | null;
  ExpectedOrderDate: string | null;
  Phase?: { ID: string; Code: string };
}

describe('@odata/client (light-odata)', () => {
  const client = () =>
    OData.New4({
      serviceEndpoint: `${root()}/`,
      commonHeaders: { Authorization: `Bearer ${service.apiToken}` },
    });
  const opportunities = () => client().getEntitySet<Opportunity>('Activity_SalesOpportunity');
  /** our keys are Edm.Guid: unquoted in the URL, which the library writes for a raw value */
  const key = (id: string) => EdmV4.Guid.from(id);

  it('fetches $metadata (the library has no CSDL parser: it hands back the XML text)', async () => {
    const content: unknown = await client().newRequest({ collection: '$metadata' } as any);
    expect(typeof content).toBe('string');
    const csdl = content as string;
    expect(csdl).toContain('<edmx:Edmx Version="4.0"');
    expect(csdl).toContain(
      '<EntitySet Name="Activity_SalesOpportunity" EntityType="Dealdeck.Activity_SalesOpportunity"',
    );
    // the text the library fetched is a document Olingo's parser reads
    const parsed: any = odatajs.oData.parseMetadata(csdl);
    expect(parsed.dataServices.schema[0].namespace).toBe('Dealdeck');
  });

  it('queries with $filter, $select, $expand=Phase, $orderby, $top and $count', async () => {
    const params = OData.newOptions()
      .filter('Probability gt 50')
      .select(['ID', 'Subject', 'Probability'])
      .expand('Phase')
      .orderby('Probability', 'desc')
      .top(2)
      .count(true);
    const page: any = await client().newRequest({ collection: 'Activity_SalesOpportunity', params });
    expect(page.error).toBeUndefined();
    expect(page['@odata.count']).toBe(aboveFifty.length);
    expect(page.value.map((o: any) => o.Subject)).toEqual(aboveFifty.slice(0, 2).map((f) => f.Subject));
    for (const [i, row] of page.value.entries()) {
      const f = aboveFifty[i];
      expect(row).toMatchObject({ ID: seeded[f.Subject].ID, Probability: f.Probability });
      expect(row.EstimatedAmount).toBeUndefined();
      expect(row.Phase).toMatchObject({ ID: phases[f.Phase].ID, Code: f.Phase });
    }
  });

  it('queries through the EntitySet API with a built filter, and counts', async () => {
    const es = opportunities();
    // fields chained in one builder are joined with 'and'
    const filter = es.newFilter().field('Probability').gt(50).field('EstimatedAmount').lt(30000);
    const rows = await es.query(filter);
    expect(rows.map((o) => o.Subject).sort()).toEqual(
      fixtures
        .filter((f) => f.Probability > 50 && f.EstimatedAmount < 30000)
        .map((f) => f.Subject)
        .sort(),
    );
    expect(await es.count(es.newFilter().field('Probability').gt(50))).toBe(aboveFifty.length);
    const byString = await es.find({ Subject: fixtures[0].Subject });
    expect(byString.map((o) => o.ID)).toEqual([seeded[fixtures[0].Subject].ID]);
  });

  it('reads one record by key', async () => {
    const f = fixtures[2];
    const one = await opportunities().retrieve(key(seeded[f.Subject].ID), OData.newOptions().expand('Phase'));
    expect(one).toMatchObject({
      ID: seeded[f.Subject].ID,
      Subject: f.Subject,
      Probability: f.Probability,
      EstimatedAmount: f.EstimatedAmount,
    });
    expect(one.Phase?.Code).toBe(f.Phase);
    // the library's default key format for a string quotes it ('…'): the service accepts that too
    const quoted = await opportunities().retrieve(seeded[f.Subject].ID);
    expect(quoted.ID).toBe(seeded[f.Subject].ID);
  });

  it('creates, updates and deletes a record', async () => {
    const es = opportunities();
    const created = await es.create({
      Subject: 'Created by @odata/client',
      EstimatedAmount: 1234.5,
      ExpectedOrderDate: '2027-01-31',
      Relationship: { ID: customerId },
      'Phase@odata.bind': `Datastore_Phase_ActivitySalesOpportunity(${phases.Proposal.ID})`,
    });
    expect(created).toMatchObject({
      Subject: 'Created by @odata/client',
      EstimatedAmount: 1234.5,
      ExpectedOrderDate: '2027-01-31',
      Probability: phases.Proposal.Probability,
    });
    const id: string = created.ID;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    await es.update(key(id), { Subject: 'Updated by @odata/client', Probability: 65 });
    const updated = await es.retrieve(key(id), OData.newOptions().expand('Phase'));
    expect(updated).toMatchObject({
      Subject: 'Updated by @odata/client',
      Probability: 65,
      EstimatedAmount: 1234.5,
      WeightedAmount: cents((1234.5 * 65) / 100),
    });
    expect(updated.Phase?.Code).toBe('Proposal');

    await es.delete(key(id));
    await expect(es.retrieve(key(id))).rejects.toThrow(/./);
    expect(await es.count(es.newFilter().field('ID').eq(key(id)))).toBe(0);
  });
});

// ts-odatajs: callbacks, wrapped in promises.
interface OlingoResult {
  data: any;
  response: any;
}

function olingo(
  req: { requestUri: string; method?: string; data?: unknown; headers?: Record<string, string> },
  handler?: any,
  metadata?: any,
): Promise<OlingoResult> {
  return new Promise((resolve, reject) => {
    odatajs.oData.request(
      { timeoutMS: 5000, ...req, headers: { Authorization: `Bearer ${service.apiToken}`, ...req.headers } },
      (data: any, response: any) => resolve({ data, response }),
      (error: any) =>
        reject(
          Object.assign(
            new Error(`${error.message}: ${error.response?.statusCode} ${error.response?.body ?? ''}`),
            {
              response: error.response,
            },
          ),
        ),
      handler,
      undefined,
      metadata,
    );
  });
}

describe('ts-odatajs (Apache Olingo)', () => {
  let metadata: any;
  const url = (pathAndQuery: string) => `${root()}/${pathAndQuery}`;
  /** query options, each value percent-encoded (node:http refuses raw spaces in a path) */
  const query = (options: Record<string, string>) =>
    Object.entries(options)
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('&');

  beforeAll(async () => {
    const result = await olingo({ requestUri: url('$metadata') }, odatajs.oData.metadataHandler);
    metadata = result.data;
  });

  it('loads and parses $metadata', () => {
    const schema = metadata.dataServices.schema[0];
    expect(schema.namespace).toBe('Dealdeck');
    const utils: any = odatajs.oData.utils;
    const set = utils.lookupEntitySet(schema.entityContainer.entitySet, 'Activity_SalesOpportunity');
    expect(set.entityType).toBe('Dealdeck.Activity_SalesOpportunity');
    const type = utils.lookupEntityType(set.entityType, metadata);
    expect(type.baseType).toBe('Dealdeck.Activity');
    expect(utils.lookupProperty(type.property, 'Probability').type).toBe('Edm.Double');
    expect(utils.lookupProperty(type.property, 'ExpectedOrderDate').type).toBe('Edm.Date');
    const base = utils.lookupEntityType(type.baseType, metadata);
    expect(base.key.propertyRef).toEqual([{ name: 'ID' }]);
    expect(utils.lookupProperty(base.property, 'ID').type).toBe('Edm.Guid');
    // lookupNavigationPropertyType reads OData v3 associations; a v4 navigation property has its type
    const phase = type.navigationProperty.find((n: any) => n.name === 'Phase');
    expect(phase.type).toBe('Dealdeck.Datastore_Phase_ActivitySalesOpportunity');
    expect(utils.lookupEntityType(phase.type, metadata)).not.toBeNull();
    expect(set.navigationPropertyBinding).toContainEqual({
      path: 'Phase',
      target: 'Datastore_Phase_ActivitySalesOpportunity',
    });
  });

  it('reads with the metadata: the library types every property from the CSDL', async () => {
    const f = fixtures[0];
    const { data } = await olingo(
      {
        requestUri: url(
          `Activity_SalesOpportunity?${query({
            $filter: `Subject eq '${f.Subject}'`,
            $select: 'ID,Subject,Probability,ExpectedOrderDate,CreationDate',
          })}`,
        ),
      },
      undefined,
      metadata,
    );
    expect(data.value).toHaveLength(1);
    expect(data.value[0]).toMatchObject({
      ID: seeded[f.Subject].ID,
      Subject: f.Subject,
      Probability: f.Probability,
      '@odata.type': '#Dealdeck.Activity_SalesOpportunity',
      'ID@odata.type': '#Guid',
      'Probability@odata.type': '#Double',
      'ExpectedOrderDate@odata.type': '#Date',
      'CreationDate@odata.type': '#DateTimeOffset',
    });
  });

  // Without the metadata: the library's minimal-metadata typing (json.js checkProperties) looks up
  // only structural properties and throws "Cannot read properties of null (reading 'type')" on an
  // expanded navigation property, whatever the service.
  it('queries with $filter, $select, $expand=Phase, $orderby, $top and $count', async () => {
    const { data, response } = await olingo({
      requestUri: url(
        `Activity_SalesOpportunity?${query({
          $filter: 'Probability gt 50',
          $select: 'ID,Subject,Probability',
          $expand: 'Phase',
          $orderby: 'Probability desc',
          $top: '2',
          $count: 'true',
        })}`,
      ),
    });
    expect(response.statusCode).toBe(200);
    expect(data['@odata.count']).toBe(aboveFifty.length);
    expect(data.value.map((o: any) => o.Subject)).toEqual(aboveFifty.slice(0, 2).map((f) => f.Subject));
    for (const [i, row] of data.value.entries()) {
      const f = aboveFifty[i];
      expect(row).toMatchObject({ ID: seeded[f.Subject].ID, Probability: f.Probability });
      expect(row.EstimatedAmount).toBeUndefined();
      expect(row.Phase).toMatchObject({ ID: phases[f.Phase].ID, Code: f.Phase });
    }
  });

  it('reads one record by key', async () => {
    const f = fixtures[1];
    const { data } = await olingo(
      { requestUri: url(`Activity_SalesOpportunity(${seeded[f.Subject].ID})`) },
      undefined,
      metadata,
    );
    expect(data).toMatchObject({
      ID: seeded[f.Subject].ID,
      Subject: f.Subject,
      Probability: f.Probability,
      EstimatedAmount: f.EstimatedAmount,
      '@odata.type': '#Dealdeck.Activity_SalesOpportunity',
    });
    const phase = await olingo({
      requestUri: url(`Activity_SalesOpportunity(${seeded[f.Subject].ID})/Phase`),
    });
    expect(phase.data.Code).toBe(f.Phase);
  });

  it('creates, links, updates and deletes a record', async () => {
    // The library's JSON serializer drops every '@odata.*' annotation but @odata.id and
    // @odata.type, so 'Phase@odata.bind' never reaches the service: the phase is linked by $ref.
    const created = await olingo(
      {
        requestUri: url('Activity_SalesOpportunity'),
        method: 'POST',
        data: {
          Subject: 'Created by ts-odatajs',
          EstimatedAmount: 4321,
          ExpectedOrderDate: '2027-02-28',
          Relationship: { ID: customerId },
        },
      },
      undefined,
      metadata,
    );
    expect(created.response.statusCode).toBe(201);
    expect(created.data).toMatchObject({
      Subject: 'Created by ts-odatajs',
      EstimatedAmount: 4321,
      ExpectedOrderDate: '2027-02-28',
      Probability: phases.Lead.Probability,
    });
    const id: string = created.data.ID;
    const entityUrl = url(`Activity_SalesOpportunity(${id})`);

    const linked = await olingo({
      requestUri: `${entityUrl}/Phase/$ref`,
      method: 'PUT',
      data: { '@odata.id': url(`Datastore_Phase_ActivitySalesOpportunity(${phases.Negotiation.ID})`) },
    });
    expect(linked.response.statusCode).toBe(204);

    const patched = await olingo(
      { requestUri: entityUrl, method: 'PATCH', data: { Subject: 'Updated by ts-odatajs', Probability: 35 } },
      undefined,
      metadata,
    );
    expect([200, 204]).toContain(patched.response.statusCode);
    const read = await olingo({ requestUri: `${entityUrl}?$expand=Phase` });
    expect(read.data).toMatchObject({
      Subject: 'Updated by ts-odatajs',
      Probability: 35,
      EstimatedAmount: 4321,
      WeightedAmount: cents((4321 * 35) / 100),
    });
    expect(read.data.Phase.Code).toBe('Negotiation');

    const deleted = await olingo({ requestUri: entityUrl, method: 'DELETE' });
    expect(deleted.response.statusCode).toBe(204);
    const gone = await olingo({ requestUri: entityUrl }).then(
      () => undefined,
      (e) => e.response,
    );
    expect(gone?.statusCode).toBe(404);
  });
});
