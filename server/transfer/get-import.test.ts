// Importing what a GET returns: pages read from a running service (with its annotations,
// computed fields, dates and numbers) go into an empty database and give the same records
// back, dates and numbers included. On SQLite and (DEALDECK_TEST_DB=postgres) PostgreSQL.
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import { readJournal } from '../journal/journal.ts';
import { entitySets, tablesInDependencyOrder } from '../model/model.ts';
import { withEmptyStores } from '../test-support/empty-stores.ts';
import { type ApiResponse, withTestService } from '../test-support/test-service.ts';
import { createEntity } from '../write/write-entity.ts';
import { importOrder } from './cli-support.ts';
import { describeIgnored, linksExpand } from './get-records.ts';
import { type ImportOptions, importRecords } from './import-records.ts';
import { ndjsonRecords } from './read-lines.ts';

type Row = Record<string, any>;

/** A date-time column as ISO text (PostgreSQL gives Date objects, SQLite text). */
const iso = (value: unknown) => new Date(value as string).toISOString();

const service = withTestService({ demoData: true, demoSize: 25 });
const emptyStore = withEmptyStores();

/** Every page of a set as the service returns it, one JSON text a page, through @odata.nextLink. */
async function getPages(setName: string, pageSize = 7): Promise<string[]> {
  const pages: string[] = [];
  const expand = linksExpand(entitySets.get(setName)!);
  let url: string | undefined = `/${setName}${expand ? `?$expand=${expand}` : ''}`;
  while (url) {
    const response: ApiResponse = await service.api(url, {
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    expect(response.status, response.text).toBe(200);
    pages.push(response.text);
    url = response.body['@odata.nextLink'];
  }
  return pages;
}

function importText(store: Store, setName: string, text: string, options: Partial<ImportOptions> = {}) {
  return importRecords(store, ndjsonRecords(Readable.from([text])), {
    set: entitySets.get(setName)!,
    asGet: true,
    ...options,
  });
}

const rowsOf = async (store: Store, table: string) =>
  ((await store.db.selectFrom(table).selectAll().orderBy('ID').execute()) as Row[]).map(
    ({ [versionColumn]: _version, ...rest }) => rest,
  );

describe('GET pages of a running service, imported into an empty database', () => {
  let target: Store;
  let source: Store;
  const summaries = new Map<string, Awaited<ReturnType<typeof importText>>>();

  beforeAll(async () => {
    source = service.server.store;
    target = await emptyStore();
    for (const setName of importOrder) {
      const pages = await getPages(setName);
      // one page a line, as `curl ... >> file` would have it
      summaries.set(setName, await importText(target, setName, `${pages.join('\n')}\n`, { batchSize: 10 }));
    }
  });

  it('writes every record, leaving out the annotations and computed fields without an error', () => {
    const opportunities = summaries.get('Activity_SalesOpportunity')!;
    expect(opportunities.problems).toEqual([]);
    expect(opportunities.written).toBeGreaterThanOrEqual(25);
    expect(opportunities.ignored.annotation.get('@odata.etag')).toBe(opportunities.written);
    expect(opportunities.ignored.annotation.get('_Type')).toBe(opportunities.written);
    expect(opportunities.ignored.computed.get('WeightedAmount')).toBe(opportunities.written);
    expect(describeIgnored(opportunities.ignored)).toMatch(
      /^\d+ annotations \(.*_Type.*\); \d+ values computed by the server \(.*Amount.*\)/,
    );
    for (const set of [
      'Relationship_Organization',
      'Datastore_Phase_ActivitySalesOpportunity',
      'ProductLine',
    ])
      expect(summaries.get(set)!.written).toBeGreaterThan(0);
    for (const [, summary] of summaries) expect(summary.problems).toEqual([]);
  });

  it.each(tablesInDependencyOrder().map((root) => root.table))(
    'gives the same records back, with their dates and numbers: %s',
    async (table) => {
      const before = await rowsOf(source, table);
      const after = await rowsOf(target, table);
      expect(after.length).toBe(before.length);
      for (const [index, record] of before.entries()) expect(after[index]).toEqual(record);
    },
  );

  it('journals each record it wrote, at the time of the import', async () => {
    const entries = await readJournal(target);
    const created = entries.filter((e) => e.kind === 'created' && e.set === 'Activity_SalesOpportunity');
    expect(created.length).toBe(summaries.get('Activity_SalesOpportunity')!.written);
    expect(created.every((e) => e.actor.id === 'system')).toBe(true);
    const record = (await rowsOf(target, 'activity'))[0];
    const entry = created.find((e) => e.id === record.ID)!;
    expect(entry.changes.Number).toEqual([null, record.Number]);
    expect(entry.at > iso(record.CreationDate)).toBe(true);
  });

  it('numbers a new opportunity past the imported numbers of its year', async () => {
    const numbers = (await rowsOf(target, 'activity')).map((row) => row.Number as string);
    const year = new Date().toISOString().slice(0, 4);
    const highest = Math.max(
      0,
      ...numbers.filter((n) => n.startsWith(`${year}-`)).map((n) => Number(n.slice(5))),
    );
    const created = await target.transaction((tx) =>
      createEntity(
        tx,
        entitySets.get('Activity_SalesOpportunity')!,
        { Subject: 'After the import' },
        new Date().toISOString(),
      ),
    );
    const row = (await target.db
      .selectFrom('activity')
      .select('Number')
      .where('ID', '=', created.id)
      .executeTakeFirstOrThrow()) as Row;
    expect(numbers).not.toContain(row.Number);
    expect(row.Number).toBe(`${year}-${String(highest + 1).padStart(5, '0')}`);
  });

  it('imports the same pages again without changing anything', async () => {
    const before = await rowsOf(target, 'activity');
    const pages = await getPages('Activity_SalesOpportunity', 50);
    const summary = await importText(target, 'Activity_SalesOpportunity', pages.join('\n'));
    expect(summary.problems).toEqual([]);
    const after = await rowsOf(target, 'activity');
    expect(after).toEqual(before);
  });
});

describe('records as the hosted CRM or an OData client writes them', () => {
  let store: Store;
  const phase = '6b2b5b9e-0000-4000-8000-000000000001';
  const organisation = '0d6a4d8e-1111-4000-8000-000000000001';

  beforeAll(async () => {
    store = await emptyStore();
    const setup = [
      ['Datastore_Phase_ActivitySalesOpportunity', { ID: phase, Name: 'Qualify', Probability: 20 }],
      ['Relationship_Organization', { ID: organisation, Name: 'Acme' }],
    ] as const;
    for (const [set, body] of setup)
      await store.transaction((tx) =>
        createEntity(tx, entitySets.get(set)!, body, '2026-01-01T00:00:00.000Z'),
      );
  });

  it('takes expanded records, @odata.bind and a pretty-printed page with @odata.nextLink', async () => {
    const page = {
      '@odata.context': 'https://api.example.com/v1/odata/$metadata#Activity_SalesOpportunity',
      value: [
        {
          '@odata.etag': 'W/"4"',
          ID: 'aa000000-0000-4000-8000-000000000001',
          _Type: 'Activity.SalesOpportunity',
          _Name: 'Expanded',
          Subject: 'Expanded',
          Number: '2019-00042',
          CreationDate: '2019-03-01T10:00:00+01:00',
          LastMutationDate: '2019-04-01T10:00:00Z',
          WeightedAmount: 123,
          Amount: 0,
          CustomerSegment: 'hosted-only field',
          Phase: { ID: phase, _Name: 'Qualify', Code: 'Q', Probability: 20 },
          Relationship: { ID: organisation, Name: 'Acme', City: 'Utrecht' },
          ProductLines: [],
        },
        {
          ID: 'aa000000-0000-4000-8000-000000000002',
          Subject: 'Bound',
          'Phase@odata.bind': `Datastore_Phase_ActivitySalesOpportunity(${phase})`,
          'Relationship@odata.bind': `Relationship_Organization(${organisation})`,
        },
      ],
      '@odata.nextLink': 'https://api.example.com/v1/odata/Activity_SalesOpportunity?$skiptoken=2',
    };
    const summary = await importText(store, 'Activity_SalesOpportunity', JSON.stringify(page, null, 2));
    expect(summary.problems).toEqual([]);
    expect(summary.written).toBe(2);
    expect(summary.ignored.unknown.get('CustomerSegment')).toBe(1);
    expect(summary.ignored.collection.get('ProductLines')).toBe(1);
    const rows = (await store.db.selectFrom('activity').selectAll().orderBy('ID').execute()) as Row[];
    expect(iso(rows[0].CreationDate)).toBe('2019-03-01T09:00:00.000Z');
    expect(iso(rows[0].LastMutationDate)).toBe('2019-04-01T10:00:00.000Z');
    expect(rows[0]).toMatchObject({
      Number: '2019-00042',
      PhaseID: phase,
      RelationshipID: organisation,
      Probability: 20,
    });
    expect(rows[1]).toMatchObject({ PhaseID: phase, RelationshipID: organisation });
    expect(rows[1].Number).toMatch(/^\d{4}-\d{5}$/);
  });

  it('refuses a Number another record has, naming the line and the record', async () => {
    const lines = [
      { ID: 'aa000000-0000-4000-8000-000000000003', Subject: 'Taken', Number: '2019-00042' },
      { ID: 'aa000000-0000-4000-8000-000000000004', Subject: 'Free', Number: '2019-00043' },
    ];
    const summary = await importText(
      store,
      'Activity_SalesOpportunity',
      lines.map((line) => JSON.stringify({ value: [line] })).join('\n'),
      { skipInvalid: true },
    );
    expect(summary.written).toBe(1);
    expect(summary.problems).toEqual([
      {
        line: 1,
        position: 1,
        code: 'Conflict',
        target: 'Number',
        message: 'Number: 2019-00042 is already the number of record aa000000-0000-4000-8000-000000000001',
      },
    ]);
  });

  it('refuses a date that is not a date-time, and skips removed entries of a delta page', async () => {
    const text = [
      JSON.stringify({
        ID: 'aa000000-0000-4000-8000-000000000005',
        Subject: 'Bad date',
        CreationDate: 'yesterday',
      }),
      JSON.stringify({
        '@odata.context': '$metadata#Activity_SalesOpportunity/$deletedEntity',
        id: 'Activity_SalesOpportunity(aa000000-0000-4000-8000-000000000002)',
        reason: 'deleted',
      }),
    ].join('\n');
    const summary = await importText(store, 'Activity_SalesOpportunity', text);
    expect(summary.removedEntries).toBe(1);
    expect(summary.problems).toMatchObject([
      {
        line: 1,
        target: 'CreationDate',
        message: 'CreationDate: must be a date-time such as 2026-01-01T09:00:00Z',
      },
    ]);
  });

  it('refuses computed fields in strict mode, as a POST does', async () => {
    const text = JSON.stringify({ Subject: 'Strict', WeightedAmount: 5, Number: '2019-00099' });
    const summary = await importText(store, 'Activity_SalesOpportunity', text, { asGet: false });
    expect(summary.written).toBe(0);
    expect(summary.problems[0].message).toMatch(/WeightedAmount: is computed by the server/);
  });
});
