import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { generateDemoData, startDemoData } from './generate-demo-data.ts';
import { createReferenceData } from './reference-data.ts';

const now = new Date('2026-03-16T10:30:00Z');
const referenceTime = '2024-01-01T00:00:00.000Z';
const size = 400;

async function freshStore() {
  const store = openStore(':memory:');
  await migrate(store);
  await createReferenceData(store, referenceTime);
  return store;
}

type Row = Record<string, any>;

const all = (store: Store, table: string) =>
  store.db.selectFrom(table).selectAll().orderBy('ID').execute() as Promise<Row[]>;

describe('generateDemoData', () => {
  let store: Store;
  let opportunities: Row[];
  let lines: Row[];
  let phases: Map<string, Row>;

  beforeAll(async () => {
    store = await freshStore();
    await generateDemoData(store, { opportunities: size, seed: 7, now });
    opportunities = (await all(store, 'activity')).filter((row) => row._Type === 'Activity.SalesOpportunity');
    lines = await all(store, 'productline');
    phases = new Map((await all(store, 'datastore')).map((row) => [row.ID, row]));
  });
  afterAll(() => store.close());

  it('is deterministic for a seed and a moment', async () => {
    const again = await freshStore();
    try {
      await generateDemoData(again, { opportunities: size, seed: 7, now });
      expect(await all(again, 'activity')).toEqual(await all(store, 'activity'));
      expect(await all(again, 'productline')).toEqual(lines);
      expect(await all(again, 'relationship')).toEqual(await all(store, 'relationship'));
      expect(await all(again, 'relation')).toEqual(await all(store, 'relation'));
    } finally {
      await again.close();
    }
  });

  it('gives the same data when the opportunities are created in steps, each in its own transaction', async () => {
    const stepped = await freshStore();
    try {
      const generator = await startDemoData(stepped, { opportunities: size, seed: 7, now });
      while (generator.done < generator.total) {
        await stepped.transaction((tx) => generator.createOpportunities(tx, 150));
      }
      expect(generator.done).toBe(size);
      expect(await all(stepped, 'activity')).toEqual(await all(store, 'activity'));
      expect(await all(stepped, 'productline')).toEqual(lines);
    } finally {
      await stepped.close();
    }
  });

  it('gives other data for another seed', async () => {
    const other = await freshStore();
    try {
      await generateDemoData(other, { opportunities: 20, seed: 8, now });
      const subjects = (await all(other, 'activity')).map((row) => row.Subject);
      expect(subjects).not.toEqual(opportunities.slice(0, 20).map((row) => row.Subject));
    } finally {
      await other.close();
    }
  });

  it('creates the requested numbers of records', async () => {
    expect(opportunities).toHaveLength(size);
    const relationships = await all(store, 'relationship');
    expect(relationships.filter((r) => r._Type === 'Relationship.Organization')).toHaveLength(50);
    expect(relationships.filter((r) => r._Type === 'Relationship.Organization.Competitor')).toHaveLength(5);
    const people = await all(store, 'relation');
    expect(people.filter((r) => r._Type === 'Relation.Person.Contact.Employee')).toHaveLength(6);
    const contacts = people.filter((r) => r._Type === 'Relation.Person.Contact');
    const perOrganization = new Map<string, number>();
    for (const contact of contacts) {
      perOrganization.set(contact.OrganizationID, (perOrganization.get(contact.OrganizationID) ?? 0) + 1);
    }
    expect(perOrganization.size).toBe(50);
    for (const count of perOrganization.values()) expect(count).toBeGreaterThanOrEqual(1);
    for (const count of perOrganization.values()) expect(count).toBeLessThanOrEqual(4);
    expect(await all(store, 'pricelist')).toHaveLength(1);
    expect((await all(store, 'product')).length).toBeGreaterThanOrEqual(10);
    // 0–4 lines each, ~2 on average
    expect(lines.length).toBeGreaterThan(size * 1.5);
    expect(lines.length).toBeLessThan(size * 2.5);
  });

  it('creates nothing more for zero opportunities than the master data', async () => {
    const empty = await freshStore();
    try {
      await generateDemoData(empty, { opportunities: 0, now });
      expect(await all(empty, 'activity')).toHaveLength(0);
      expect((await all(empty, 'relationship')).length).toBe(55);
    } finally {
      await empty.close();
    }
  });

  it('puts every opportunity in a phase of its pipeline, or Won or Lost', () => {
    for (const row of opportunities) {
      const phase = phases.get(row.PhaseID)!;
      expect(phase).toBeDefined();
      expect(row.PipelineID).toBeTruthy();
      if (phase.PipelineID !== null) expect(phase.PipelineID).toBe(row.PipelineID);
      else expect(phase.IsWon || phase.IsLost).toBeTruthy();
    }
    const pipelines = new Set(opportunities.map((row) => row.PipelineID));
    expect(pipelines.size).toBe(3);
  });

  it('computes the weighted amount from the estimated amount and the probability', () => {
    for (const row of opportunities) {
      expect(row.EstimatedAmount).toBeGreaterThanOrEqual(1000);
      expect(row.EstimatedAmount).toBeLessThanOrEqual(250_000);
      expect(row.WeightedAmount).toBeCloseTo((row.EstimatedAmount * row.Probability) / 100, 2);
    }
  });

  it('closes won deals at 100 and lost deals at 0 with a reason', () => {
    const won = opportunities.filter((row) => phases.get(row.PhaseID)!.IsWon);
    const lost = opportunities.filter((row) => phases.get(row.PhaseID)!.IsLost);
    expect(won.length / size).toBeGreaterThan(0.08);
    expect(won.length / size).toBeLessThan(0.25);
    expect(lost.length / size).toBeGreaterThan(0.05);
    expect(lost.length / size).toBeLessThan(0.18);
    for (const row of won) {
      expect(row.Probability).toBe(100);
      expect(row.IsClosed).toBe(1);
      expect(row.LostReasonID).toBeNull();
    }
    for (const row of lost) {
      expect(row.Probability).toBe(0);
      expect(row.IsClosed).toBe(1);
      expect(phases.get(row.LostReasonID)?._Type).toBe('Datastore.LostReason');
    }
    expect(lost.some((row) => row.LostToCompetitorID)).toBe(true);
    for (const row of opportunities.filter((r) => !won.includes(r) && !lost.includes(r))) {
      expect(row.IsClosed).toBe(0);
    }
  });

  it('leaves most probabilities at the phase default and overrides some', () => {
    const open = opportunities.filter((row) => !row.IsClosed);
    const atDefault = open.filter((row) => row.Probability === phases.get(row.PhaseID)!.Probability);
    expect(atDefault.length / open.length).toBeGreaterThan(0.6);
    expect(atDefault.length).toBeLessThan(open.length);
  });

  it('quotes in EUR, USD and GBP', () => {
    const currencies = new Map<string, number>();
    for (const row of opportunities) currencies.set(row.Currency, (currencies.get(row.Currency) ?? 0) + 1);
    expect([...currencies.keys()].sort()).toEqual(['EUR', 'GBP', 'USD']);
    expect(currencies.get('EUR')! / size).toBeGreaterThan(0.5);
  });

  it('spreads expected order dates over the past and the coming year', () => {
    const today = now.toISOString().slice(0, 10);
    const dates = opportunities.map((row) => row.ExpectedOrderDate as string);
    expect(dates.some((d) => d < today)).toBe(true);
    expect(dates.some((d) => d > today)).toBe(true);
    const sixMonthsAgo = new Date(now.getTime() - 200 * 86_400_000).toISOString().slice(0, 10);
    const inAYear = new Date(now.getTime() + 366 * 86_400_000).toISOString().slice(0, 10);
    for (const d of dates) {
      expect(d >= sixMonthsAgo && d <= inAYear).toBe(true);
    }
    const open = opportunities.filter((row) => !row.IsClosed);
    const overdue = open.filter((row) => row.ExpectedOrderDate < today);
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.length / open.length).toBeLessThan(0.25);
  });

  it('creates records in the past, opportunities over the last 18 months', () => {
    const created = opportunities.map((row) => row.CreationDate as string);
    for (const date of created) expect(date <= now.toISOString()).toBe(true);
    const oldest = [...created].sort()[0];
    expect(new Date(oldest).getTime()).toBeLessThan(now.getTime() - 500 * 86_400_000);
    expect(new Date(oldest).getTime()).toBeGreaterThan(now.getTime() - 560 * 86_400_000);
    // numbers follow creation order within a year
    const sorted = [...opportunities].sort((a, b) => a.SortIndex - b.SortIndex);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].CreationDate >= sorted[i - 1].CreationDate).toBe(true);
    }
    const thisYear = sorted.filter((row) => row.Number.startsWith('2026-'));
    expect(thisYear[0].Number).toBe('2026-00001');
  });

  it('links each deal to a customer, one of its contacts and a sales rep', async () => {
    const people = new Map((await all(store, 'relation')).map((row) => [row.ID, row]));
    const organizations = new Map((await all(store, 'relationship')).map((row) => [row.ID, row]));
    for (const row of opportunities) {
      const customer = organizations.get(row.RelationshipID)!;
      expect(customer._Type).toBe('Relationship.Organization');
      expect(row.RelationDescription).toBe(customer.Name);
      if (row.ContactID) expect(people.get(row.ContactID)!.OrganizationID).toBe(customer.ID);
      expect(people.get(row.SalesRepresentativeID)!._Type).toBe('Relation.Person.Contact.Employee');
      expect(row.SourceID).toBeTruthy();
    }
  });

  it('has believable names', async () => {
    const names = (await all(store, 'relationship')).map((row) => row.Name as string);
    expect(new Set(names).size).toBe(names.length);
    expect(names.join(' ')).not.toMatch(/lorem|ipsum/i);
    const subjects = new Set(opportunities.map((row) => row.Subject));
    expect(subjects.size).toBeGreaterThan(size / 4);
    for (const row of await all(store, 'relation')) {
      expect(row.EmailAddress).toMatch(/^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$/);
    }
  });

  it('totals each opportunity from its product lines', () => {
    const byActivity = new Map<string, Row[]>();
    for (const line of lines)
      byActivity.set(line.ActivityID, [...(byActivity.get(line.ActivityID) ?? []), line]);
    const sum = (rows: Row[], column: string) => rows.reduce((total, row) => total + row[column], 0);
    for (const row of opportunities) {
      const own = byActivity.get(row.ID) ?? [];
      expect(row.NumberOfProductLines).toBe(own.length);
      expect(row.Amount).toBeCloseTo(sum(own, 'TotalExcludingVat'), 2);
      expect(row.TotalSalesIncludingVAT).toBeCloseTo(sum(own, 'TotalIncludingVat'), 2);
      expect(row.VatAmount).toBeCloseTo(sum(own, 'VatAmount'), 2);
      for (const line of own) {
        expect(line.Currency).toBe(row.Currency);
        expect(line.Quantity).toBeGreaterThan(0);
      }
    }
    expect(lines.some((line) => line.DiscountPercentage > 0)).toBe(true);
    expect(new Set(lines.map((line) => line.VatPercentage))).toEqual(new Set([21, 9]));
  });
});
