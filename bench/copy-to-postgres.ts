// Copies a generated SQLite bench database into a PostgreSQL database, table by table, for the
// PostgreSQL bench: generating a million opportunities through the API's write path on
// PostgreSQL would take an hour; the rows are the same either way.
// Usage: tsx bench/copy-to-postgres.ts --from data/bench-1000000.db --to postgres://.../dealdeck_bench_1000000
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../server/db/database.ts';
import { migrate } from '../server/db/migrations.ts';
import { sequenceTable } from '../server/db/schema.ts';
import { tablesInDependencyOrder } from '../server/model/model.ts';
import { columnTypesOf } from '../server/write/records.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || !args[i + 1]) throw new Error(`--${name} is required`);
  return args[i + 1];
};

export async function copyToPostgres(from: string, to: string) {
  const source = new Database(from, { readonly: true });
  const expected = (source.prepare('SELECT COUNT(*) AS n FROM activity').get() as { n: number }).n;
  const url = new URL(to);
  const name = url.pathname.slice(1);
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(to), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount) {
    const target = new pg.Client({ connectionString: to });
    await target.connect();
    const count = await target
      .query('SELECT COUNT(*)::int AS n FROM activity')
      .catch(() => ({ rows: [{ n: -1 }] }));
    await target.end();
    if (count.rows[0].n === expected) {
      await admin.end();
      console.log(`${name}: already holds ${expected.toLocaleString('en')} opportunities`);
      return;
    }
    await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const store = openStore(to);
  await migrate(store);
  // a bench copy need not survive a crash: no waiting for the disk on every commit
  await sql`ALTER DATABASE ${sql.id(name)} SET synchronous_commit = off`.execute(store.db);
  const started = Date.now();
  // parents before children, so that every foreign key finds its row
  for (const root of tablesInDependencyOrder()) {
    const table = root.table;
    const types = columnTypesOf(root);
    const columns = (source.prepare(`SELECT * FROM "${table}" LIMIT 1`).columns() as { name: string }[]).map(
      (c) => c.name,
    );
    const total = (source.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    let done = 0;
    const batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length) await store.db.insertInto(table).values(batch).execute();
      done += batch.length;
      batch.length = 0;
      if (process.stderr.isTTY)
        process.stderr.write(`\r${table}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`);
    };
    // a self-reference (an activity's parent activity) is set once all rows are there
    const selfReferences = columns.filter((c) => c === 'ActivityID' && table === 'activity');
    for (const row of source.prepare(`SELECT * FROM "${table}"`).iterate() as Iterable<
      Record<string, unknown>
    >) {
      const converted: Record<string, unknown> = {};
      for (const column of columns) {
        const value = selfReferences.includes(column) ? null : row[column];
        converted[column] = store.dialect.toDatabase(
          types.get(column)!,
          sqliteValue(types.get(column), value),
        );
      }
      batch.push(converted);
      // PostgreSQL takes at most 65,535 parameters a statement
      if (batch.length * columns.length >= 60_000) await flush();
    }
    await flush();
    for (const column of selfReferences) {
      for (const row of source
        .prepare(`SELECT ID, "${column}" AS parent FROM "${table}" WHERE "${column}" IS NOT NULL`)
        .iterate() as Iterable<{ ID: string; parent: string }>) {
        await store.db
          .updateTable(table)
          .set({ [column]: row.parent })
          .where('ID', '=', row.ID)
          .execute();
      }
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
  for (const row of source.prepare(`SELECT * FROM "${sequenceTable}"`).all() as {
    Name: string;
    Value: number;
  }[]) {
    await sql`INSERT INTO ${sql.table(sequenceTable)} ("Name", "Value") VALUES (${row.Name}, ${row.Value}) ON CONFLICT ("Name") DO UPDATE SET "Value" = EXCLUDED."Value"`.execute(
      store.db,
    );
  }
  await sql`ANALYZE`.execute(store.db);
  await store.close();
  source.close();
  console.log(
    `${name}: ${expected.toLocaleString('en')} opportunities copied in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** SQLite keeps booleans as 0/1. */
const sqliteValue = (type: string | undefined, value: unknown) =>
  type === 'Edm.Boolean' && value !== null ? value === 1 : value;

if (import.meta.url === `file://${process.argv[1]}`) {
  await copyToPostgres(option('from'), option('to'));
}
