// Import and export through the library functions, on SQLite and (DEALDECK_TEST_DB=postgres)
// on PostgreSQL.
import { Readable, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { versionColumn } from '../db/schema.ts';
import { generateDemoData } from '../demo/generate-demo-data.ts';
import { createReferenceData } from '../demo/reference-data.ts';
import { entitySets, tablesInDependencyOrder } from '../model/model.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.ts';
import { createEntity } from '../write/write-entity.ts';
import { csvRecords } from './csv.ts';
import { exportRecords } from './export-records.ts';
import { entitySetNamed, type TransferFormat } from './fields.ts';
import { type ImportOptions, importRecords } from './import-records.ts';
import { ndjsonRecords } from './read-lines.ts';

type Row = Record<string, any>;

const referenceTime = '2024-01-01T00:00:00.000Z';
const demoNow = new Date('2026-03-16T10:30:00Z');

const opened: { store: Store; database: TestDatabase }[] = [];

/** A fresh database with the schema and the reference data (the same fixed IDs in every database). */
async function freshStore(): Promise<Store> {
  const database = await createTestDatabase();
  const store = openStore(database.url);
  opened.push({ store, database });
  await migrate(store);
  await createReferenceData(store, referenceTime);
  return store;
}

afterAll(async () => {
  for (const { store, database } of opened.splice(0)) {
    await store.close();
    await database.drop();
  }
});

async function exportText(store: Store, setName: string, format: TransferFormat = 'ndjson') {
  let text = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const count = await exportRecords(store, entitySetNamed(setName), output, { format, pageSize: 7 });
  return { text, count };
}

function importText(
  store: Store,
  setName: string,
  text: string,
  options: Partial<ImportOptions> & { format?: TransferFormat } = {},
) {
  const set = entitySetNamed(setName);
  const input = Readable.from([text]);
  const records = options.format === 'csv' ? csvRecords(input, set) : ndjsonRecords(input);
  return importRecords(store, records, { set, ...options });
}

/** The rows of a table without what the server assigns on create (and the ETag counter). */
async function userData(store: Store, table: string) {
  const rows = (await store.db.selectFrom(table).selectAll().orderBy('ID').execute()) as Row[];
  return rows.map(
    ({ CreationDate: _created, LastMutationDate: _changed, Number: _number, [versionColumn]: _v, ...rest }) =>
      rest,
  );
}

/** Sets in the order they are imported: everything a record links to comes first. */
const demoSets = [
  'PriceList',
  'Product',
  'Relationship_Organization',
  'Relation_Person_Contact',
  'Activity_SalesOpportunity',
  'ProductLine',
];
const demoTables = tablesInDependencyOrder().map((root) => root.table);

describe.each(['ndjson', 'csv'] as const)('round trip as %s', (format) => {
  let source: Store;
  let target: Store;

  beforeAll(async () => {
    source = await freshStore();
    await generateDemoData(source, { opportunities: 40, seed: 3, now: demoNow });
    target = await freshStore();
    for (const setName of demoSets) {
      const { text, count } = await exportText(source, setName, format);
      expect(count).toBeGreaterThan(0);
      const summary = await importText(target, setName, text, { format, batchSize: 25 });
      expect(summary.problems).toEqual([]);
      expect(summary).toMatchObject({ read: count, written: count, rejected: 0 });
    }
  });

  it.each(demoTables)('gives the same records back: %s', async (table) => {
    const before = await userData(source, table);
    const after = await userData(target, table);
    expect(after.length).toBe(before.length);
    // per record, so that a difference names the record
    for (const [index, record] of before.entries()) expect(after[index]).toEqual(record);
  });

  it('recomputes the derived values identically (weighted amounts, totals) and numbers the opportunities anew', async () => {
    const [before, after] = await Promise.all(
      [source, target].map(
        (store) =>
          store.db
            .selectFrom('activity')
            .select(['ID', 'WeightedAmount', 'TotalSalesExcludingVAT', 'NumberOfProductLines', 'Number'])
            .orderBy('ID')
            .execute() as Promise<Row[]>,
      ),
    );
    const withoutNumber = (rows: Row[]) => rows.map(({ Number: _number, ...rest }) => rest);
    expect(withoutNumber(after)).toEqual(withoutNumber(before));
    expect(before.some((row) => Number(row.NumberOfProductLines) > 0)).toBe(true);
    expect(new Set(after.map((row) => row.Number)).size).toBe(after.length);
  });

  it('exports what it imported, byte for byte', async () => {
    for (const setName of demoSets) {
      expect((await exportText(target, setName, format)).text).toBe(
        (await exportText(source, setName, format)).text,
      );
    }
  });
});

describe('a bad record', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterEach(async () => {
    await store.db.deleteFrom('relationship').execute();
  });

  const organizations = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      JSON.stringify({ Name: `Organisation ${i + 1}`, ImportId: `org-${i + 1}`, NumberOfEmployees: i }),
    );
  const names = async () =>
    ((await store.db.selectFrom('relationship').select('Name').orderBy('Name').execute()) as Row[]).map(
      (r) => r.Name,
    );

  it('rejects its whole batch, naming its line and field and the lines of the batch', async () => {
    const lines = organizations(10);
    lines[5] = JSON.stringify({ Name: 'Bad', NumberOfEmployees: -5 });
    const rejected: unknown[] = [];
    const summary = await importText(store, 'Relationship_Organization', `${lines.join('\n')}\n`, {
      batchSize: 4,
      onRejectedBatch: (batch) => rejected.push(batch),
    });
    expect(summary.problems).toEqual([
      {
        line: 6,
        target: 'NumberOfEmployees',
        code: 'InvalidValue',
        message: 'NumberOfEmployees: must be at least 0 (got -5)',
      },
    ]);
    expect(rejected).toEqual([{ firstLine: 5, lastLine: 8, records: 4, problems: 1 }]);
    expect(summary).toMatchObject({ read: 10, written: 6, rejected: 4, invalid: 1, rejectedBatches: 1 });
    expect(await names()).toHaveLength(6);
    expect(await names()).not.toContain('Organisation 5');
  });

  it('with skipInvalid, is skipped alone', async () => {
    const lines = organizations(10);
    lines[5] = JSON.stringify({ Name: 'Bad', NumberOfEmployees: -5 });
    const summary = await importText(store, 'Relationship_Organization', lines.join('\n'), {
      batchSize: 4,
      skipInvalid: true,
    });
    expect(summary).toMatchObject({ read: 10, written: 9, rejected: 1, invalid: 1, rejectedBatches: 0 });
    expect(summary.problems.map((p) => p.line)).toEqual([6]);
    expect(await names()).toHaveLength(9);
  });

  it('reports every bad record of a batch, invalid JSON too, with line numbers counting blank lines', async () => {
    const lines = organizations(6);
    lines[1] = '{"Name": "Half a record",';
    lines[2] = '';
    lines[4] = JSON.stringify({ Name: 'No such field', Colour: 'red' });
    lines[5] = '[1, 2]';
    const summary = await importText(store, 'Relationship_Organization', lines.join('\r\n'));
    expect(summary.problems.map((p) => [p.line, p.target])).toEqual([
      [2, undefined],
      [5, 'Colour'],
      [6, undefined],
    ]);
    expect(summary.problems[0].message).toMatch(/^invalid JSON: /);
    expect(summary.problems[1].message).toBe('Colour: unknown property of Relationship.Organization');
    expect(summary.problems[2].message).toMatch(/one JSON object/);
    expect(summary).toMatchObject({ read: 5, written: 0, rejected: 5, rejectedBatches: 1 });
    expect(await names()).toEqual([]);
  });

  it('fails with a clear message when it links to a record that is not there', async () => {
    const phase = '00000000-0000-4000-8000-000000000001';
    const summary = await importText(
      store,
      'Activity_SalesOpportunity',
      JSON.stringify({ Subject: 'Orphan', Phase: { ID: phase } }),
    );
    expect(summary.problems).toEqual([
      {
        line: 1,
        target: 'Phase',
        code: 'LinkNotFound',
        message: `Phase: no Datastore_Phase_ActivitySalesOpportunity with ID ${phase}`,
      },
    ]);
  });

  it('that fails in the database (a taken ImportId) is skipped alone on both databases', async () => {
    // the second record is new (its own ID) but takes the first's ImportId: a unique violation,
    // which on PostgreSQL aborts the transaction unless rolled back to a savepoint
    const lines = [
      { ID: '10000000-0000-4000-8000-000000000001', Name: 'First', ImportId: 'same' },
      { ID: '10000000-0000-4000-8000-000000000002', Name: 'Second', ImportId: 'same' },
      { ID: '10000000-0000-4000-8000-000000000003', Name: 'Third' },
    ].map((record) => JSON.stringify(record));
    const summary = await importText(store, 'Relationship_Organization', lines.join('\n'), {
      skipInvalid: true,
    });
    expect(summary.problems.map((p) => p.line)).toEqual([2]);
    expect(summary.problems[0].message).toMatch(/a record with the same key already exists/);
    expect(await names()).toEqual(['First', 'Third']);
  });

  it('updates the record when imported again (same ID or ImportId), instead of duplicating it', async () => {
    const lines = organizations(3).join('\n');
    await importText(store, 'Relationship_Organization', lines);
    const again = await importText(
      store,
      'Relationship_Organization',
      lines.replace('Organisation 2', 'Organisation two'),
    );
    expect(again).toMatchObject({ written: 3, rejected: 0 });
    expect(await names()).toEqual(['Organisation 1', 'Organisation 3', 'Organisation two']);
  });
});

describe('entity sets', () => {
  it('an unknown set name is a clear error that lists the sets', () => {
    expect(() => entitySetNamed('Opportunities')).toThrow(
      /^Unknown entity set 'Opportunities'\. The entity sets are: .*Activity_SalesOpportunity/,
    );
    expect(() => entitySetNamed('productline')).toThrow(/Did you mean ProductLine\?/);
  });

  it('a set with several types names each record type that is not the set type', async () => {
    const store = await freshStore();
    const set = entitySets.get('Relationship_Organization')!;
    const now = new Date().toISOString();
    await createEntity(store, set, { Name: 'Customer' }, now);
    await createEntity(
      store,
      set,
      { '@odata.type': '#Dealdeck.Relationship_Organization_Competitor', Name: 'Rival' },
      now,
    );
    const records = (await exportText(store, 'Relationship_Organization')).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const byName = new Map(records.map((r) => [r.Name, r]));
    expect(byName.get('Customer')['@odata.type']).toBeUndefined();
    expect(byName.get('Rival')['@odata.type']).toBe('#Dealdeck.Relationship_Organization_Competitor');
    // nothing the server computes
    expect(byName.get('Rival')).not.toHaveProperty('_Name');
    expect(byName.get('Rival')).not.toHaveProperty('CreationDate');
    expect(byName.get('Rival')).toHaveProperty('ImportId', null);
  });
});
