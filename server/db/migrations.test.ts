// Databases made by earlier versions upgrade to the newest schema without losing data.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceData } from '../demo/reference-data.ts';
import { bufferJournal, dropJournalBuffer } from '../journal/journal.ts';
import { entitySets } from '../model/model.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.ts';
import { createEntity } from '../write/write-entity.ts';
import { openStore, type Store } from './database.ts';
import { appliedVersions, migrate, migrations } from './migrations.ts';
import { tableStatements } from './schema.ts';

let database: TestDatabase;
let store: Store;

async function freshStore() {
  database = await createTestDatabase();
  store = openStore(database.url);
  return store;
}

afterEach(async () => {
  await store?.close();
  await database?.drop();
});

async function indexNames(s: Store): Promise<string[]> {
  const rows =
    s.dialect.name === 'sqlite'
      ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index'`.execute(s.db)
      : await sql<{
          name: string;
        }>`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`.execute(s.db);
  return rows.rows.map((r) => r.name);
}

/** Data as an older version of the service wrote it: before the change journal existed. */
async function createSomeData(s: Store) {
  await s.transaction(async (tx) => {
    bufferJournal(tx); // the entries are held back, then dropped: there is no journal yet
    await createReferenceData(tx);
    const customer = await createEntity(
      tx,
      entitySets.get('Relationship_Organization')!,
      { Name: 'Kept BV' },
      new Date().toISOString(),
    );
    await createEntity(
      tx,
      entitySets.get('Activity_SalesOpportunity')!,
      { Subject: 'Survives the upgrade', EstimatedAmount: 1000, Relationship: { ID: customer.id } },
      new Date().toISOString(),
    );
    dropJournalBuffer(tx);
  });
}

const opportunities = (s: Store) =>
  s.db
    .selectFrom('activity')
    .select(['Subject', 'Number', 'WeightedAmount', 'RelationDescription'])
    .execute();

describe('migrations', () => {
  it('a new database gets every migration, once', async () => {
    const s = await freshStore();
    expect(await migrate(s)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(s)).toEqual([]);
    expect(await appliedVersions(s)).toEqual(migrations.map((m) => m.version));
  });

  it('a database of version 1 upgrades, keeping its data', async () => {
    const s = await freshStore();
    expect(await migrate(s, 1)).toEqual([1]);
    expect(await indexNames(s)).not.toContain('activity_Probability');
    expect(await indexNames(s)).not.toContain('activity_by_Probability_ID');
    await createSomeData(s);
    const before = await opportunities(s);
    expect(await migrate(s)).toEqual(migrations.filter((m) => m.version > 1).map((m) => m.version));
    expect(await opportunities(s)).toEqual(before);
    // migration 2's one-column index gave way to migration 5's (column, ID)
    expect(await indexNames(s)).not.toContain('activity_Probability');
    expect(await indexNames(s)).toContain('activity_by_Probability_ID');
    expect(await indexNames(s)).toContain('activity_board_column');
    if (s.dialect.name === 'postgres') expect(await indexNames(s)).toContain('activity_Subject_trgm');
  });

  it('a database made before migrations existed is taken over as it is', async () => {
    const s = await freshStore();
    for (const statement of tableStatements(s)) await sql.raw(statement).execute(s.db);
    await createSomeData(s);
    const before = await opportunities(s);
    await migrate(s);
    expect(await opportunities(s)).toEqual(before);
    expect(await appliedVersions(s)).toEqual(migrations.map((m) => m.version));
  });

  it('adds the column of a field the model gained, empty on the existing rows', async () => {
    const s = await freshStore();
    await migrate(s);
    await createSomeData(s);
    await sql.raw('ALTER TABLE "activity" DROP COLUMN "RelationDescription"').execute(s.db);
    await migrate(s);
    const rows = await s.db.selectFrom('activity').select(['Subject', 'RelationDescription']).execute();
    expect(rows).toEqual([{ Subject: 'Survives the upgrade', RelationDescription: null }]);
  });
});
