// Opportunities of a chosen shape, for the selectivity sweep of `npm run bench:api` and the
// tests that plans stay bounded on skewed data: with level s, each filter of the seed and of
// the board matches about s of the rows. Opportunities are written as raw rows, as an import
// from another system leaves them; the reference data, reps and customers go through the API.
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';
import { entitySets } from '../model/model.ts';
import { createEntity } from '../write/write-entity.ts';
import { seededRandom } from './random.ts';
import { createReferenceData } from './reference-data.ts';

export const skewLevels = [0.001, 0.1, 0.5, 0.75, 0.99];

/** The words subjects are made of: few and common, as in data typed by a sales team. */
const commonWords = ['Renewal', 'License', 'Support', 'Upgrade', 'Rollout', 'Training'];
/** in the fraction `level` of the subjects */
export const levelWord = 'Cloud';
/** in one subject of a thousand, at every level */
export const rareWord = 'Quantum';

/** The dates the ranges are drawn from: two years before and after this. */
export const skewedNow = new Date('2026-06-01T00:00:00Z');
const day = 86_400_000;

export interface SkewedShape {
  level: number;
  size: number;
  /** the board column that holds every open deal: pipeline "New business", phase "Lead" */
  pipelineId: string;
  phaseId: string;
  /** the rep with `level` of the deals */
  repId: string;
}

export async function skewedShape(store: Store, level: number, size: number): Promise<SkewedShape> {
  const pipeline = await store.db
    .selectFrom('pipeline')
    .select('ID')
    .where('Name', '=', 'New business')
    .executeTakeFirstOrThrow();
  const phase = await store.db
    .selectFrom('datastore')
    .select('ID')
    .where('PipelineID', '=', pipeline.ID)
    .where('Code', '=', 'Lead')
    .executeTakeFirstOrThrow();
  const rep = await store.db
    .selectFrom('relation')
    .select('ID')
    .where('LastName', '=', 'Busy')
    .executeTakeFirstOrThrow();
  return { level, size, pipelineId: pipeline.ID, phaseId: phase.ID, repId: rep.ID };
}

/**
 * Per row, independently: open with chance `level` (and then in the board's first column, so
 * the column query matches `level` too), the level word in its subject with chance `level`,
 * the rep with chance `level`. Amounts, probabilities and dates are uniform, so that a threshold
 * at the level's quantile (see threshold) gives the level. Call it in a transaction, on a
 * migrated database without opportunities.
 */
export async function createSkewedOpportunities(store: Store, level: number, size: number) {
  const random = seededRandom(Math.round(level * 1000) + 7);
  const created = new Date(skewedNow.getTime() - 800 * day).toISOString();
  const hasReferenceData = await store.db.selectFrom('pipeline').select('ID').limit(1).executeTakeFirst();
  if (!hasReferenceData) await createReferenceData(store, created);
  const create = async (set: string, body: Record<string, unknown>) =>
    (await createEntity(store, entitySets.get(set)!, { ID: random.uuid(), ...body }, created)).id;
  const busyRep = await create('Relation_Person_Contact_Employee', { FirstName: 'Bea', LastName: 'Busy' });
  const otherReps: string[] = [];
  for (let i = 1; i <= 19; i++) {
    otherReps.push(
      await create('Relation_Person_Contact_Employee', { FirstName: 'Rep', LastName: `No. ${i}` }),
    );
  }
  const customers: { id: string; name: string }[] = [];
  for (let i = 1; i <= Math.min(500, Math.ceil(size / 20)); i++) {
    const name = `Customer ${i}`;
    customers.push({ id: await create('Relationship_Organization', { Name: name }), name });
  }
  const phases = (
    await store.db.selectFrom('datastore').select(['ID', 'Code', 'PipelineID', 'IsWon', 'IsLost']).execute()
  ).filter((p) => p.Code);
  const pipelines = (await store.db.selectFrom('pipeline').select(['ID', 'Name']).execute()).map((p) => p.ID);
  const shape = await skewedShape(store, level, size);
  const won = phases.find((p) => p.Code === 'Won')!;
  const lost = phases.find((p) => p.Code === 'Lost')!;

  const columns = [
    'ID',
    '_Type',
    '_Name',
    'SortIndex',
    'CreationDate',
    'LastMutationDate',
    'IsActive',
    'IsClosed',
    'Subject',
    'Number',
    'Amount',
    'Currency',
    'IsVatIncluded',
    'RelationDescription',
    'Probability',
    'WeightedAmount',
    'EstimatedAmount',
    'ExpectedOrderDate',
    'RelationshipID',
    'PhaseID',
    'PipelineID',
    'SalesRepresentativeID',
  ];
  const bool = (value: boolean) => store.dialect.toDatabase('Edm.Boolean', value);
  const chunk = 500;
  for (let start = 0; start < size; start += chunk) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(size, start + chunk); i++) {
      const open = random.chance(level);
      const closing = random.chance(0.5) ? won : lost;
      const words = [random.pick(commonWords), random.pick(commonWords)];
      if (random.chance(level)) words.splice(1, 0, levelWord);
      if (random.chance(0.001)) words.push(rareWord);
      const customer = random.pick(customers);
      const subject = `${words.join(' ')} for ${customer.name}`;
      const estimated = Math.round(random.next() * 100_000 * 100) / 100;
      const probability = open ? Math.round(random.next() * 10_000) / 100 : closing === won ? 100 : 0;
      const creation = new Date(skewedNow.getTime() - random.next() * 730 * day).toISOString();
      const expected = new Date(skewedNow.getTime() + (random.next() - 0.5) * 730 * day)
        .toISOString()
        .slice(0, 10);
      rows.push([
        random.uuid(),
        'Activity.SalesOpportunity',
        subject,
        i,
        creation,
        creation,
        bool(true),
        bool(!open),
        subject,
        `2026-${String(i + 1).padStart(6, '0')}`,
        Math.round(random.next() * 10_000 * 100) / 100,
        'EUR',
        bool(false),
        customer.name,
        probability,
        (estimated * probability) / 100,
        estimated,
        expected,
        customer.id,
        open ? shape.phaseId : closing.ID,
        open ? shape.pipelineId : random.pick(pipelines),
        random.chance(level) ? busyRep : random.pick(otherReps),
      ]);
    }
    const values = sql.join(rows.map((row) => sql`(${sql.join(row)})`));
    await sql`INSERT INTO activity (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${values}`.execute(
      store.db,
    );
  }
  await sql`INSERT INTO _sequence ("Name", "Value") VALUES ('Activity.Number.2026', ${size})`.execute(
    store.db,
  );
}

/**
 * The constant that makes a range filter match `level` of the rows: the value at that quantile,
 * read from the data itself (`gt` takes the upper tail, `lt` the lower).
 */
export async function threshold(
  store: Store,
  column: string,
  operator: 'gt' | 'lt',
  level: number,
  size: number,
): Promise<unknown> {
  const offset = Math.min(size - 1, Math.max(0, Math.round(size * (operator === 'gt' ? 1 - level : level))));
  const row = await sql<{
    v: unknown;
  }>`SELECT ${sql.ref(column)} AS v FROM activity WHERE ${sql.ref(column)} IS NOT NULL ORDER BY ${sql.ref(column)} LIMIT 1 OFFSET ${offset}`.execute(
    store.db,
  );
  const type = entitySets.get('Activity_SalesOpportunity')!.properties.get(column)!.type;
  return store.dialect.fromDatabase(type, row.rows[0]?.v);
}
