// The SQL schema, made from the entity model: one table per type hierarchy, a column per
// property and per reference, indexes for the filters and sorting the clients use.
// Migrations (migrations.ts) decide when each part is applied.
import { model, tableColumns, tables } from '../model/model.ts';
import type { Store } from './database.ts';

/** Hidden column: incremented by every write, the entity's ETag. */
export const versionColumn = '_Version';
export const sequenceTable = '_sequence';

const q = (name: string) => `"${name}"`;

export function tableStatements({ dialect }: Pick<Store, 'dialect'>): string[] {
  const statements: string[] = [];
  const foreignKeys: string[] = [];
  for (const root of tables) {
    const { properties, references } = tableColumns(root);
    const columns = properties.map((p) => {
      // a subtype's column is empty on its siblings' rows: only the root's can be NOT NULL
      const notNull = p.nullable === false && p.declaredBy === root.name ? ' NOT NULL' : '';
      return `${q(p.column)} ${dialect.columnType(p.type)}${p.name === 'ID' ? ' PRIMARY KEY' : notNull}`;
    });
    for (const r of references) {
      const target = model.get(r.target)!;
      const onDelete = { restrict: 'RESTRICT', null: 'SET NULL', cascade: 'CASCADE' }[
        r.onDelete ?? 'restrict'
      ];
      // RESTRICT is checked by the service first, to answer 409 with a message; the constraint is the backstop.
      const constraint = `REFERENCES ${q(target.table)}("ID") ON DELETE ${onDelete}`;
      if (dialect.name === 'sqlite') {
        columns.push(`${q(r.column)} text ${constraint}`);
      } else {
        // PostgreSQL wants the target table to exist: the constraints follow the tables
        columns.push(`${q(r.column)} text`);
        const name = `${root.table}_${r.column}_fk`;
        foreignKeys.push(
          `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '${name}') THEN ALTER TABLE ${q(root.table)} ADD CONSTRAINT ${q(name)} FOREIGN KEY (${q(r.column)}) ${constraint}; END IF; END $$`,
        );
      }
    }
    columns.push(`${q(versionColumn)} integer NOT NULL DEFAULT 1`);
    statements.push(`CREATE TABLE IF NOT EXISTS ${q(root.table)} (\n  ${columns.join(',\n  ')}\n)`);
  }
  statements.push(
    `CREATE TABLE IF NOT EXISTS ${q(sequenceTable)} ("Name" text PRIMARY KEY, "Value" integer NOT NULL)`,
  );
  return [...statements, ...foreignKeys];
}

/** The indexes of migration 2, kept as they were so that the migration stays what it was. */
export function indexStatements(): string[] {
  const statements: string[] = [];
  for (const root of tables) {
    const { properties, references } = tableColumns(root);
    const table = root.table;
    const index = (name: string, columns: string[], unique = false, where = '') =>
      statements.push(
        `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(`${table}_${name}`)} ON ${q(table)} (${columns.map(q).join(', ')})${where}`,
      );
    for (const p of properties) {
      if (p.unique) index(p.column, [p.column], true, ` WHERE ${q(p.column)} IS NOT NULL`);
      else if (p.indexed) index(p.column, [p.column]);
    }
    // A board column lists one phase's records in SortIndex order.
    for (const r of references)
      index(r.column, r.column === 'PhaseID' ? [r.column, 'SortIndex'] : [r.column]);
    if (root.typeNames.length > 1) index('_Type', ['_Type']);
  }
  return statements;
}

/**
 * Indexes shaped like the queries the service generates, so that a page costs the same whatever
 * the data looks like. Every read ends its ORDER BY with the key (pages never overlap), so an
 * index on (column, ID) serves `column eq X` in key order and `$orderby=column` without a sort:
 * the page is the first 50 entries of one index range, however many rows match. A one-column
 * index instead leaves the planner a bet on the statistics (search the index and sort every
 * match, or scan the key and filter): with 75% of deals open, a sampled statistic once said
 * "1,000 rows", and the bet sorted 75,000 rows to show 50.
 * The board gets its own shapes: a column is one phase of one pipeline in SortIndex order
 * (Won and Lost are shared by every pipeline, so the phase alone is not enough), and its totals
 * group a pipeline's deals by phase and currency, read from the index alone.
 */
export function queryIndexes(): readonly { table: string; name: string; columns: string[] }[] {
  // the model does not change while the service runs; the read planner asks on every page
  cachedQueryIndexes ??= indexesOfModel();
  return cachedQueryIndexes;
}

let cachedQueryIndexes: { table: string; name: string; columns: string[] }[] | undefined;

function indexesOfModel() {
  const indexes: { table: string; name: string; columns: string[] }[] = [];
  for (const root of tables) {
    const { properties, references } = tableColumns(root);
    const table = root.table;
    const index = (columns: string[], name = `${table}_by_${columns.join('_')}`) =>
      indexes.push({ table, name, columns });
    for (const p of properties) if (p.indexed && !p.unique) index([p.column, 'ID']);
    for (const r of references) index([r.column, 'ID']);
    if (['Pipeline', 'Phase'].every((name) => references.some((r) => r.name === name))) {
      index(['PipelineID', 'PhaseID', 'SortIndex', 'ID'], `${table}_board_column`);
      index(
        ['PipelineID', 'PhaseID', 'Currency', 'EstimatedAmount', 'WeightedAmount'],
        `${table}_board_totals`,
      );
    }
  }
  return indexes;
}

/** Migration 5: the one-column indexes of migration 2 give way to queryIndexes. */
export function queryIndexStatements(): string[] {
  const old = indexStatements()
    .filter((s) => !s.startsWith('CREATE UNIQUE') && !s.includes('"_Type"'))
    .map((s) => s.match(/INDEX IF NOT EXISTS ("[^"]+")/)![1]);
  return [
    ...old.map((name) => `DROP INDEX IF EXISTS ${name}`),
    ...queryIndexes().map(
      ({ table, name, columns }) =>
        `CREATE INDEX IF NOT EXISTS ${q(name)} ON ${q(table)} (${columns.map(q).join(', ')})`,
    ),
  ];
}
