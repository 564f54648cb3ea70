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
