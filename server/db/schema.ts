// Creates the SQL schema from the entity model: one table per type hierarchy, a column per
// property and per reference, indexes for the filters and sorting the clients use.
import { sql } from 'kysely';
import { type EntityType, model, tableColumns, tables } from '../model/model.ts';
import type { Store } from './database.ts';

/** Hidden column: incremented by every write, the entity's ETag. */
export const versionColumn = '_Version';
export const sequenceTable = '_sequence';

export function schemaStatements({ dialect }: Pick<Store, 'dialect'>): string[] {
  const statements: string[] = [];
  const q = (name: string) => `"${name}"`;
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
      columns.push(`${q(r.column)} text REFERENCES ${q(target.table)}("ID") ON DELETE ${onDelete}`);
    }
    columns.push(`${q(versionColumn)} integer NOT NULL DEFAULT 1`);
    statements.push(`CREATE TABLE IF NOT EXISTS ${q(root.table)} (\n  ${columns.join(',\n  ')}\n)`);
    statements.push(...indexStatements(root));
  }
  statements.push(
    `CREATE TABLE IF NOT EXISTS ${q(sequenceTable)} ("Name" text PRIMARY KEY, "Value" integer NOT NULL)`,
  );
  return statements;
}

function indexStatements(root: EntityType): string[] {
  const { properties, references } = tableColumns(root);
  const table = root.table;
  const statements: string[] = [];
  const index = (name: string, columns: string[], unique = false, where = '') =>
    statements.push(
      `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${table}_${name}" ON "${table}" (${columns
        .map((c) => `"${c}"`)
        .join(', ')})${where}`,
    );
  for (const p of properties) {
    if (p.unique) index(p.column, [p.column], true, ` WHERE "${p.column}" IS NOT NULL`);
    else if (p.indexed) index(p.column, [p.column]);
  }
  // A board column lists one phase's records in SortIndex order.
  for (const r of references) index(r.column, r.column === 'PhaseID' ? [r.column, 'SortIndex'] : [r.column]);
  if (root.typeNames.length > 1) index('_Type', ['_Type']);
  return statements;
}

export async function ensureSchema(store: Store) {
  for (const statement of schemaStatements(store)) {
    await sql.raw(statement).execute(store.db);
  }
}
