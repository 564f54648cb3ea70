// The serializer writes JSON text itself; these properties hold it to the bytes JSON.stringify
// gives for the same entities built as objects, over random plans ($select, $expand, $ref,
// counts, derived types), random values (any UTF-16, lone surrogates, control characters,
// NaN, -0, dates, missing columns) and both dialects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresDialect, type SqlDialect, sqliteDialect } from '../db/dialect.ts';
import { qualifiedName } from '../model/csdl-names.ts';
import { type EntityType, model, type Property } from '../model/model.ts';
import { planRead, type ReadPlan } from '../plan/plan-read.ts';
import type { ExpandItem, ExpandOptions } from '../query/ast.ts';
import { columnsOf, field, idOf, type ResultRow, typeOf } from '../sql/select-rows.ts';
import {
  entityWriter,
  etagOf,
  type Json,
  jsonObject,
  jsonValue,
  type SerializeContext,
} from './serialize.ts';

/**
 * What the payload means, written the plain way: the entity as an object, which
 * JSON.stringify then writes. The oracle of these tests, not a second serializer.
 */
function entityObject(row: ResultRow, plan: ReadPlan, ctx: SerializeContext): Json {
  const out: Json = {};
  const type = typeOf(row);
  if (type !== plan.type.name) out['@odata.type'] = `#${qualifiedName(type)}`;
  out['@odata.etag'] = etagOf(row);
  const properties: Iterable<Property> = plan.allProperties
    ? (model.get(type) ?? plan.type).properties.values()
    : plan.select;
  for (const property of properties) {
    out[property.name] = ctx.dialect.fromDatabase(property.type, field(row, property.column));
  }
  for (const expand of plan.expand) {
    const name = expand.navigation.name;
    const value = row.expanded?.[name];
    const count = row.counts?.[name];
    if (count !== undefined) out[`${name}@odata.count`] = count;
    const one = (related: ResultRow) =>
      expand.ref
        ? { '@odata.id': `${ctx.serviceRoot}/${model.get(typeOf(related))!.setName}(${idOf(related)})` }
        : entityObject(related, expand.read, ctx);
    if (Array.isArray(value)) out[name] = value.map(one);
    else out[name] = value ? one(value) : null;
  }
  return out;
}

const types = [...model.values()];

/** Any value a driver might hand over, and some it should not. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    'plain',
    'Müller',
    'say "hi"',
    'back\\slash',
    'tab\there',
    '\u2028',
    '😀',
    '\ud800',
    '\udfff',
  ),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, 1, -0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.date(),
);

/** A plan over a random type: all properties or a $select, and up to two levels of $expand. */
const planOf = (depth: number): fc.Arbitrary<ReadPlan> =>
  fc.constantFrom(...types).chain((type) => optionsOf(type, depth).map((options) => planRead(type, options)));

function optionsOf(type: EntityType, depth: number): fc.Arbitrary<ExpandOptions> {
  const names = [...type.properties.keys()];
  const navigations = [...type.references.values(), ...type.collections.values()];
  const select = fc.option(
    fc.subarray(names).map((chosen) => chosen.map((name) => pathItem(name))),
    {
      nil: undefined,
    },
  );
  const expand =
    depth === 0 || navigations.length === 0
      ? fc.constant(undefined)
      : fc.subarray(navigations, { maxLength: Math.min(3, navigations.length) }).chain((chosen) =>
          fc.tuple(
            ...chosen.map((navigation) =>
              fc.record({ ref: fc.boolean(), count: fc.boolean() }).chain(({ ref, count }) =>
                ref
                  ? fc.constant<ExpandItem>({ path: [navigation.name], ref, options: {}, pos: 0 })
                  : optionsOf(model.get(navigation.target)!, depth - 1).map<ExpandItem>((options) => ({
                      path: [navigation.name],
                      ref,
                      options: navigation.kind === 'collection' && count ? { ...options, count } : options,
                      pos: 0,
                    })),
              ),
            ),
          ),
        );
  return fc.record({ select, expand }, { requiredKeys: [] }) as fc.Arbitrary<ExpandOptions>;
}

const pathItem = (name: string) => ({ kind: 'path' as const, segments: [name], pos: 0 });

/**
 * Rows for a plan as one query returns them: one column index shared by the rows (in a
 * shuffled order, with an extra column), a type of the set per row, random values.
 */
function rowsOf(plan: ReadPlan, depth = 0): fc.Arbitrary<ResultRow[]> {
  const columns = [...columnsOf(plan), '_parent'];
  return fc
    .tuple(
      fc.shuffledSubarray(columns, { minLength: columns.length }),
      fc.array(
        fc.record({
          type: fc.constantFrom(...plan.type.typeNames),
          version: fc.nat(),
          id: fc.uuid(),
          values: fc.array(anyValue, { minLength: columns.length, maxLength: columns.length }),
        }),
        { maxLength: depth === 0 ? 4 : 3 },
      ),
    )
    .chain(([order, records]) => {
      const index = new Map(order.map((column, i) => [column, i]));
      const rows = records.map(({ type, version, id, values }) => {
        const row: ResultRow = { values: [...values], index };
        row.values[index.get('_Type')!] = type;
        row.values[index.get('_Version')!] = version;
        row.values[index.get('ID')!] = id;
        return row;
      });
      if (rows.length === 0 || plan.expand.length === 0) return fc.constant(rows);
      return fc
        .tuple(...rows.map(() => fc.tuple(...plan.expand.map((expand) => expandedOf(expand, depth)))))
        .map((perRow) => {
          rows.forEach((row, r) => {
            plan.expand.forEach((expand, e) => {
              const { value, count } = perRow[r][e];
              if (value !== undefined) {
                row.expanded ??= {};
                row.expanded[expand.navigation.name] = value;
              }
              if (count !== undefined) {
                row.counts ??= {};
                row.counts[expand.navigation.name] = count;
              }
            });
          });
          return rows;
        });
    });
}

function expandedOf(expand: ReadPlan['expand'][number], depth: number) {
  const related = rowsOf(expand.read, depth + 1);
  if (expand.navigation.kind === 'reference') {
    return fc.record({
      value: fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        related.map((rows) => rows[0] ?? null),
      ),
      count: fc.constant(undefined),
    });
  }
  return fc.record({
    value: related,
    count: expand.read.count ? fc.nat() : fc.constant(undefined),
  });
}

const contexts = fc.record({
  dialect: fc.constantFrom<SqlDialect>(sqliteDialect, postgresDialect),
  serviceRoot: fc.constantFrom('http://127.0.0.1:8080/v1/odata', 'https://crm.example/v1/odata'),
});

describe('serializer', () => {
  it('writes the bytes JSON.stringify writes for the same entities', () => {
    fc.assert(
      fc.property(
        planOf(2).chain((plan) => fc.tuple(fc.constant(plan), rowsOf(plan), contexts)),
        ([plan, rows, ctx]) => {
          const write = entityWriter(plan, ctx);
          for (const row of rows) {
            expect(write(row)).toBe(JSON.stringify(entityObject(row, plan, ctx)));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('one writer serves rows of several queries (column orders differ)', () => {
    fc.assert(
      fc.property(
        planOf(0).chain((plan) => fc.tuple(fc.constant(plan), rowsOf(plan), rowsOf(plan), contexts)),
        ([plan, first, second, ctx]) => {
          const write = entityWriter(plan, ctx);
          for (const row of [...first, ...second, ...first]) {
            expect(write(row)).toBe(JSON.stringify(entityObject(row, plan, ctx)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a value is written as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.jsonValue(), fc.constant(Symbol('s'))), (value) => {
        expect(jsonValue(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('an object of written members is the object JSON.stringify writes', () => {
    const names = ['@odata.context', '@odata.count', 'value', '@odata.nextLink', 'a"b'];
    fc.assert(
      fc.property(
        fc.subarray(names),
        fc.array(anyValue, { minLength: 5, maxLength: 5 }),
        (chosen, values) => {
          const members = chosen.map((name, i) => [name, values[i]] as const);
          expect(jsonObject(members.map(([name, value]) => [name, jsonValue(value)]))).toBe(
            JSON.stringify(Object.fromEntries(members)),
          );
        },
      ),
    );
  });
});
