// Forecast movement (GET /v1/movement), on SQLite and PostgreSQL, against an independent
// computation: the pipeline is read through the OData API at the comparison date and again at
// the end, and the waterfall is worked out from those two snapshots alone (no journal); the
// stage conversion against the moves the test made; a rep's view under REP_SEES=own.
import { beforeAll, describe, expect, it } from 'vitest';
import { accessPolicy } from '../access/policy.ts';
import { servicePrincipal } from '../access/principal.ts';
import { addTestPerson, type TestPerson } from '../test-support/test-people.ts';
import { withTestService } from '../test-support/test-service.ts';
import { computeMovement, percentile } from './movement.ts';
import { parseMovementQuery } from './movement-route.ts';

const service = withTestService({ demoData: false, auth: { repSees: 'own' } });
const set = '/Activity_SalesOpportunity';
const deal = (id: string) => `${set}(${id})`;
const period = { from: '2027-01-01', to: '2027-03-31' };

let manager: TestPerson;
let anna: TestPerson;
let pipeline: string;
let codes: Record<string, string>;

async function write(path: string, method: string, json?: unknown, as = manager.token) {
  const answer = await service.api(path, { method, json, as });
  expect(answer.status, answer.text).toBeLessThan(300);
  return answer.body;
}

const create = (body: Record<string, unknown>, as = manager.token) =>
  write(set, 'POST', { Pipeline: { ID: pipeline }, Currency: 'EUR', ...body }, as).then(
    (b) => b.ID as string,
  );

interface Snapshot {
  ID: string;
  IsClosed: boolean;
  WeightedAmount: number;
  ExpectedOrderDate: string | null;
  Phase: { IsWon: boolean } | null;
}

/** Every deal of the pipeline as the API returns it. */
async function snapshot(): Promise<Map<string, Snapshot>> {
  const answer = await service.api(
    `${set}?$filter=Pipeline/ID eq ${pipeline}&$select=ID,IsClosed,WeightedAmount,ExpectedOrderDate&$expand=Phase($select=IsWon)&$top=1000`,
  );
  expect(answer.status, answer.text).toBe(200);
  return new Map((answer.body.value as Snapshot[]).map((d) => [d.ID, d]));
}

/** The waterfall worked out from two snapshots: each deal's bucket and the totals. */
function expectedFrom(then: Map<string, Snapshot>, now: Map<string, Snapshot>) {
  const inPeriod = (d?: Snapshot) =>
    !!d &&
    !d.IsClosed &&
    !!d.ExpectedOrderDate &&
    d.ExpectedOrderDate >= period.from &&
    d.ExpectedOrderDate <= period.to;
  const buckets = new Map<string, string>();
  let thenTotal = 0;
  let nowTotal = 0;
  for (const d of then.values()) if (inPeriod(d)) thenTotal += d.WeightedAmount;
  for (const d of now.values()) if (inPeriod(d)) nowTotal += d.WeightedAmount;
  for (const id of new Set([...then.keys(), ...now.keys()])) {
    const before = then.get(id);
    const after = now.get(id);
    const wasIn = inPeriod(before);
    const isIn = inPeriod(after);
    if (wasIn && isIn) {
      if (after!.WeightedAmount !== before!.WeightedAmount)
        buckets.set(id, after!.WeightedAmount > before!.WeightedAmount ? 'up' : 'down');
    } else if (!wasIn && isIn) {
      buckets.set(id, before && !before.IsClosed ? 'pulledIn' : 'new');
    } else if (wasIn && !isIn) {
      if (!after) buckets.set(id, 'other');
      else if (after.IsClosed) buckets.set(id, after.Phase?.IsWon ? 'won' : 'lost');
      else buckets.set(id, 'slipped');
    }
  }
  return { buckets, thenTotal, nowTotal };
}

const movementUrl = (since: string, extra = '') =>
  `${service.server.origin}/v1/movement?pipeline=${pipeline}&since=${encodeURIComponent(since)}&from=${period.from}&to=${period.to}${extra}`;

const ids: Record<string, string> = {};
let since: string;
let then: Map<string, Snapshot>;

beforeAll(async () => {
  manager = await addTestPerson(service, 'manager', 'Sophie van der Meer');
  anna = await addTestPerson(service, 'rep', 'Anna Akker');
  const pipelines = await service.api("/Pipeline?$filter=Name eq 'New business'&$select=ID");
  pipeline = pipelines.body.value[0].ID;
  const phases = await service.api('/Datastore_Phase_ActivitySalesOpportunity?$select=ID,Code');
  codes = Object.fromEntries(phases.body.value.map((p: { ID: string; Code: string }) => [p.Code, p.ID]));
  const open = (amount: number, date: string, extra: Record<string, unknown> = {}) => ({
    Subject: `Deal of ${amount}`,
    EstimatedAmount: amount,
    Probability: 50,
    ExpectedOrderDate: date,
    Phase: { ID: codes.Lead },
    ...extra,
  });
  ids.up = await create(open(1000, '2027-01-15'));
  ids.down = await create(open(800, '2027-02-15'));
  ids.won = await create(open(600, '2027-03-01'));
  ids.lost = await create(open(400, '2027-03-10'));
  ids.slipped = await create(open(300, '2027-03-31'));
  ids.pulledIn = await create(open(200, '2027-06-01'));
  ids.deleted = await create(open(100, '2027-01-02'));
  ids.still = await create(open(50, '2027-01-20'));
  ids.annas = await create(open(700, '2027-02-01'), anna.token);

  then = await snapshot();
  since = new Date().toISOString();
  // the writes below carry a later time than `since`
  while (Date.now() <= Date.parse(since)) await new Promise((resolve) => setImmediate(resolve));

  await write(deal(ids.up), 'PATCH', { EstimatedAmount: 2000, Phase: { ID: codes.Proposal } });
  await write(deal(ids.down), 'PATCH', { EstimatedAmount: 500 });
  await write(deal(ids.won), 'PATCH', { Phase: { ID: codes.Proposal } });
  await write(deal(ids.won), 'PATCH', { Phase: { ID: codes.Won } });
  await write(deal(ids.lost), 'PATCH', { Phase: { ID: codes.Lost } });
  await write(deal(ids.slipped), 'PATCH', { ExpectedOrderDate: '2027-04-01' });
  await write(deal(ids.pulledIn), 'PATCH', { ExpectedOrderDate: '2027-02-01' });
  await write(deal(ids.deleted), 'DELETE');
  ids.created = await create(open(900, '2027-03-15'));
  await write(deal(ids.annas), 'PATCH', { EstimatedAmount: 1400 }, anna.token);
});

describe('forecast movement since a date', () => {
  it('puts each deal in the bucket the two snapshots give, and the totals add up', async () => {
    const now = await snapshot();
    const expected = expectedFrom(then, now);
    const answer = await service.api(movementUrl(since), { as: manager.token });
    expect(answer.status, answer.text).toBe(200);
    const movement = answer.body;
    const got = new Map<string, string>(movement.deals.map((d: any) => [d.ID, d.Bucket]));
    expect(got).toEqual(expected.buckets);
    // the named deals went where the test sent them
    for (const name of ['up', 'down', 'won', 'lost', 'slipped', 'pulledIn', 'created']) {
      expect(got.get(ids[name]), name).toBe(name === 'created' ? 'new' : name);
    }
    expect(got.get(ids.deleted)).toBe('other');
    expect(got.has(ids.still)).toBe(false);
    const [eur] = movement.totals;
    expect(movement.totals).toHaveLength(1);
    expect(eur.Currency).toBe('EUR');
    expect(eur.Then).toBeCloseTo(expected.thenTotal, 2);
    expect(eur.Now).toBeCloseTo(expected.nowTotal, 2);
    // then plus every deal's change is now
    const moved = movement.deals.reduce((n: number, d: any) => n + (d.Now ?? 0) - (d.Then ?? 0), 0);
    expect(eur.Then + moved).toBeCloseTo(eur.Now, 2);
    const deleted = movement.deals.find((d: any) => d.ID === ids.deleted);
    expect(deleted).toMatchObject({ Exists: false, Subject: 'Deal of 100', Now: null });
    expect(deleted.Then).toBeCloseTo(then.get(ids.deleted)!.WeightedAmount, 2);
    const slipped = movement.deals.find((d: any) => d.ID === ids.slipped);
    expect(slipped.ExpectedOrderDate).toEqual({ Then: '2027-03-31', Now: '2027-04-01' });
  });

  it('counts per phase the deals that entered it since, went on, were won or lost', async () => {
    const answer = await service.api(movementUrl(since), { as: manager.token });
    const byPhase = Object.fromEntries(answer.body.conversion.map((c: any) => [c.Phase, c]));
    // Lead: the one deal created since; Proposal: the deal moved on with more money, and the won one
    expect(byPhase[codes.Lead]).toMatchObject({ Entered: 1, Advanced: 0, Won: 0, Lost: 0, Staying: 1 });
    expect(byPhase[codes.Proposal]).toMatchObject({ Entered: 2, Advanced: 1, Won: 1, Lost: 0, Staying: 1 });
    expect(byPhase[codes.Proposal].MedianDays).toBeGreaterThanOrEqual(0);
    expect(byPhase[codes.Proposal].MedianDays).toBeLessThan(1);
    // closing phases are outcomes, not stages
    expect(byPhase[codes.Won]).toBeUndefined();
    expect(byPhase[codes.Lost]).toBeUndefined();
    // phases in pipeline order
    const order = answer.body.conversion.map((c: any) => c.Phase);
    expect(order).toEqual([codes.Lead, codes.Proposal]);
  });

  it('shows a rep under REP_SEES=own only their own and unassigned deals', async () => {
    const bob = await addTestPerson(service, 'rep', 'Bob Bakker');
    const bobs = await create(
      {
        Subject: 'Bob’s deal',
        EstimatedAmount: 5000,
        Probability: 50,
        ExpectedOrderDate: '2027-02-02',
        Phase: { ID: codes.Lead },
      },
      bob.token,
    );
    const managerView = await service.api(movementUrl(since), { as: manager.token });
    const annaView = await service.api(movementUrl(since), { as: anna.token });
    expect(annaView.status, annaView.text).toBe(200);
    const seen = (view: typeof annaView, id: string) => view.body.deals.some((d: any) => d.ID === id);
    expect(seen(managerView, bobs)).toBe(true);
    expect(seen(annaView, bobs)).toBe(false);
    // her own deal, and the manager's deals, created unassigned
    expect(annaView.body.deals.find((d: any) => d.ID === ids.annas)).toMatchObject({ Bucket: 'up' });
    expect(seen(annaView, ids.won)).toBe(true);
    // Bob's deal is the whole difference in the totals
    const bobsWeight = managerView.body.deals.find((d: any) => d.ID === bobs).Now;
    expect(bobsWeight).toBe(2500);
    expect(annaView.body.totals[0].Now + bobsWeight).toBeCloseTo(managerView.body.totals[0].Now, 2);
    expect(annaView.body.totals[0].Then).toBeCloseTo(managerView.body.totals[0].Then, 2);
    await write(deal(bobs), 'DELETE');
  });

  it('counts the stale open deals of the pipeline per rep', async () => {
    const store = service.server.store;
    const policy = accessPolicy(servicePrincipal, { repSees: 'own' }, store.dialect.name);
    const query = parseMovementQuery(
      { pipeline, since, from: period.from, to: period.to, staleDays: '10' },
      new Date(),
    );
    const fresh = await computeMovement(store, policy, query);
    expect(fresh.stale).toEqual([]);
    // eleven days on, every open deal of the pipeline is stale
    const later = new Date(Date.now() + 11 * 86_400_000).toISOString();
    const stale = await computeMovement(store, policy, { ...query, now: later });
    const open = await service.api(
      `${set}?$filter=Pipeline/ID eq ${pipeline} and IsClosed eq false&$select=ID&$expand=SalesRepresentative($select=ID)&$top=1000`,
    );
    const perRep = new Map<string | null, number>();
    for (const d of open.body.value) {
      const rep = d.SalesRepresentative?.ID ?? null;
      perRep.set(rep, (perRep.get(rep) ?? 0) + 1);
    }
    expect(new Map(stale.stale.map((s) => [s.Rep, s.Count]))).toEqual(perRep);
  });
});

describe('the parameters', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const valid = {
    pipeline: '0b5a7d7e-8d8f-4c55-9d5a-3f6f1f2a1b2c',
    since: '2026-11-24',
    from: '2026-10-01',
    to: '2026-12-31',
  };
  it.each([
    [{ pipeline: 'x' }, /pipeline is the ID/],
    [{ since: undefined }, /since is missing/],
    [{ since: 'last week' }, /since is a date/],
    [{ since: '2026-12-24' }, /lies in the future/],
    [{ from: '2026-13-01' }, /from is the first expected order date/],
    [{ to: '2026-02-30' }, /to is the last expected order date/],
    [{ from: '2027-01-01' }, /ends \(2026-12-31\) before it starts/],
    [{ staleDays: '0' }, /staleDays is a whole number/],
  ])('refuses %j with a message naming the mistake', (change, message) => {
    expect(() => parseMovementQuery({ ...valid, ...change }, now)).toThrow(message);
  });
  it('takes a date as its midnight UTC and a time with its offset', () => {
    expect(parseMovementQuery(valid, now).since).toBe('2026-11-24T00:00:00.000Z');
    expect(parseMovementQuery({ ...valid, since: '2026-11-24T09:00:00+01:00' }, now).since).toBe(
      '2026-11-24T08:00:00.000Z',
    );
  });

  it('answers 400 and 404 as OData errors, and 401 without credentials', async () => {
    const bad = await service.api(movementUrl('yesterday'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/since is a date/);
    const unknown = await service.api(
      `${service.server.origin}/v1/movement?pipeline=${valid.pipeline}&since=2026-11-24&from=2026-10-01&to=2026-12-31`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain(valid.pipeline);
    const anonymous = await service.api(movementUrl(since), { as: null });
    expect(anonymous.status).toBe(401);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([4], 90)).toBe(4);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});
