// The demo data set: a sales team, customers with contacts, competitors, a price list and a
// pipeline of sales opportunities with product lines. Every record is written through
// createEntity, the API's own write path, so numbers, weighted amounts, phase rules and totals
// are computed exactly as for a client's POST. Deterministic for a given seed and `now`.
import type { Store } from '../db/database.ts';
import { type EntityType, entitySets } from '../model/model.ts';
import { bulkWrite } from '../write/business-rules.ts';
import { createEntity, updateEntity } from '../write/write-entity.ts';
import {
  type CountryInfo,
  type CustomerSeed,
  competitors as competitorSeeds,
  contactJobTitles,
  countries,
  customers as customerSeeds,
  firstNames,
  lastNames,
  ownDomain,
  type ProductSeed,
  partnershipSubjects,
  products as productSeeds,
  projectSubjects,
  salesReps,
} from './names.ts';
import { type Random, seededRandom } from './random.ts';

export const defaultDemoSize = 600;

export interface DemoDataOptions {
  /** number of sales opportunities */
  opportunities: number;
  /** defaults to 42 */
  seed?: number;
  /** the moment the data is generated for; dates are relative to it. Defaults to the current time. */
  now?: Date;
  /** called every 1,000 opportunities and when all are done */
  onProgress?: (done: number, total: number) => void;
}

/** Creates the opportunities in steps, each step in a store of the caller's choice (e.g. its own transaction). */
export interface DemoDataGenerator {
  readonly total: number;
  readonly done: number;
  /** Creates the next `count` opportunities (fewer when the total is reached) with their product lines. */
  createOpportunities(store: Store, count: number): Promise<void>;
}

const customerCount = 50;
const day = 86_400_000;
/** opportunities are created over the last 18 months */
const historyDays = 540;
const currencyRates = { EUR: 1, USD: 1.08, GBP: 0.86 } as const;
type Currency = keyof typeof currencyRates;

/**
 * Fills a store that holds the reference data (createReferenceData) with the demo data set.
 * Runs in the caller's transaction, if any.
 */
export async function generateDemoData(store: Store, options: DemoDataOptions): Promise<void> {
  const generator = await startDemoData(store, options);
  await generator.createOpportunities(store, options.opportunities);
}

/**
 * Creates everything but the opportunities (sales reps, customers, contacts, competitors, price
 * list, products) and returns a generator for the opportunities. Calling it once and the
 * generator in steps gives the same data as generateDemoData with the same options.
 */
export async function startDemoData(store: Store, options: DemoDataOptions): Promise<DemoDataGenerator> {
  const random = seededRandom(options.seed ?? 42);
  const now = options.now ?? new Date();
  const reference = await loadReferenceData(store);
  const master = await createMasterData(store, random, now.getTime());
  const total = Math.max(0, Math.floor(options.opportunities));
  const plan = new OpportunityPlanner(random, now.getTime(), total, reference, master);
  let done = 0;
  return {
    total,
    get done() {
      return done;
    },
    async createOpportunities(target, count) {
      const end = Math.min(total, done + Math.max(0, count));
      await bulkWrite(target, async () => {
        while (done < end) {
          await createOpportunity(target, plan.next(done));
          done++;
          if (options.onProgress && (done % 1000 === 0 || done === total)) options.onProgress(done, total);
        }
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

const setCache = new Map<string, EntityType>();
function set(name: string): EntityType {
  let found = setCache.get(name);
  if (!found) {
    found = entitySets.get(name);
    if (!found) throw new Error(`The model has no entity set ${name}`);
    setCache.set(name, found);
  }
  return found;
}

async function create(store: Store, setName: string, body: Record<string, unknown>, at: number) {
  const result = await createEntity(store, set(setName), body, new Date(at).toISOString());
  return result.id;
}

const link = (id: string | null | undefined) => (id ? { ID: id } : null);

// ---------------------------------------------------------------------------------------------
// Reference data, created by createReferenceData before the demo data

interface Phase {
  id: string;
  name: string;
  probability: number;
  pipelineId: string | null;
  isWon: boolean;
  isLost: boolean;
}

interface PipelineRef {
  id: string;
  name: string;
  /** open phases in board order */
  phases: Phase[];
  weight: number;
}

interface ReferenceData {
  pipelines: PipelineRef[];
  won: Phase;
  lost: Phase;
  sources: { id: string; name: string }[];
  lostReasons: { id: string; name: string }[];
}

const pipelineWeights: Record<string, number> = { 'New business': 75, Renewals: 17, Partnerships: 8 };

async function loadReferenceData(store: Store): Promise<ReferenceData> {
  const bool = (v: unknown) => store.dialect.fromDatabase('Edm.Boolean', v) === true;
  const pipelineRows = (await store.db
    .selectFrom('pipeline')
    .select(['ID', 'Name'])
    .where('IsActive', '=', store.dialect.toDatabase('Edm.Boolean', true))
    .orderBy('SortIndex')
    .orderBy('ID')
    .execute()) as { ID: string; Name: string }[];
  const phaseRows = (await store.db
    .selectFrom('datastore')
    .select(['ID', 'Name', 'Probability', 'PipelineID', 'IsWon', 'IsLost'])
    .where('_Type', '=', 'Datastore.Phase.ActivitySalesOpportunity')
    .where('IsActive', '=', store.dialect.toDatabase('Edm.Boolean', true))
    .orderBy('SortIndex')
    .orderBy('ID')
    .execute()) as { ID: string; Name: string; Probability: number | null; PipelineID: string | null }[];
  const phases: Phase[] = phaseRows.map((row) => ({
    id: row.ID,
    name: row.Name,
    probability: Number(row.Probability ?? 0),
    pipelineId: row.PipelineID,
    isWon: bool((row as Record<string, unknown>).IsWon),
    isLost: bool((row as Record<string, unknown>).IsLost),
  }));
  const open = phases.filter((p) => !p.isWon && !p.isLost);
  const pipelines = pipelineRows
    .map((row) => ({
      id: row.ID,
      name: row.Name,
      // phases without a pipeline belong to every pipeline
      phases: open.filter((p) => p.pipelineId === row.ID || p.pipelineId === null),
      weight: pipelineWeights[row.Name] ?? 5,
    }))
    .filter((p) => p.phases.length > 0);
  const won = phases.find((p) => p.isWon && p.pipelineId === null);
  const lost = phases.find((p) => p.isLost && p.pipelineId === null);
  const lookup = async (type: string) =>
    (
      (await store.db
        .selectFrom('datastore')
        .select(['ID', 'Name'])
        .where('_Type', '=', type)
        .orderBy('SortIndex')
        .orderBy('ID')
        .execute()) as { ID: string; Name: string }[]
    ).map((row) => ({ id: row.ID, name: row.Name }));
  const sources = await lookup('Datastore.Source');
  const lostReasons = await lookup('Datastore.LostReason');
  if (!pipelines.length || !won || !lost || !sources.length || !lostReasons.length) {
    throw new Error(
      'The demo data needs the reference data (pipelines with phases, Won and Lost phases, sources, lost reasons): run createReferenceData first',
    );
  }
  return { pipelines, won, lost, sources, lostReasons };
}

// ---------------------------------------------------------------------------------------------
// Master data: our sales team, customers and their contacts, competitors, the price list

interface Rep {
  id: string;
  jobTitle: string;
}

interface Customer {
  id: string;
  name: string;
  country: CountryInfo;
  contacts: string[];
}

interface Product extends ProductSeed {
  id: string;
}

interface MasterData {
  reps: Rep[];
  customers: Customer[];
  competitors: string[];
  priceListId: string;
  products: Product[];
}

async function createMasterData(store: Store, random: Random, now: number): Promise<MasterData> {
  // The CRM was set up two months before the first opportunity of the demo.
  const setUp = startOfDay(now - (historyDays + 60) * day) + 9 * 3_600_000;
  let at = setUp;
  const tick = (ms = random.int(30_000, 900_000)) => {
    at += ms;
    return at;
  };

  const reps: Rep[] = [];
  for (const [index, rep] of salesReps.entries()) {
    const id = await create(
      store,
      'Relation_Person_Contact_Employee',
      {
        ID: random.uuid(),
        FirstName: rep.firstName,
        LastName: rep.lastName,
        JobTitle: rep.jobTitle,
        EmailAddress: emailAddress(rep.firstName, rep.lastName, ownDomain),
        PhoneNumber: phoneNumber(random, countries.NL),
        SortIndex: index + 1,
      },
      tick(),
    );
    reps.push({ id, jobTitle: rep.jobTitle });
  }

  const priceListId = await create(
    store,
    'PriceList',
    {
      ID: random.uuid(),
      Name: `Price list ${new Date(setUp).getUTCFullYear()}`,
      Currency: 'EUR',
      SortIndex: 1,
    },
    tick(),
  );
  const products: Product[] = [];
  for (const [index, product] of productSeeds.entries()) {
    const id = await create(
      store,
      'Product',
      {
        ID: random.uuid(),
        Code: product.code,
        Name: product.name,
        Price: product.price,
        PurchasePrice: product.purchasePrice,
        VatPercentage: product.vat,
        Unit: product.unit,
        PriceList: { ID: priceListId },
        SortIndex: index + 1,
      },
      tick(60_000),
    );
    products.push({ ...product, id });
  }

  const competitors: string[] = [];
  for (const [index, competitor] of competitorSeeds.entries()) {
    competitors.push(
      await create(
        store,
        'Relationship_Organization_Competitor',
        organizationBody(random, competitor, index + 1, 'info'),
        tick(),
      ),
    );
  }

  // Customers arrive over the two months of set-up: imported, then added one by one.
  const chosen = shuffle(random, customerSeeds).slice(0, customerCount);
  const customers: Customer[] = [];
  const spacing = (60 * day - (at - setUp)) / (chosen.length + 1);
  for (const [index, seed] of chosen.entries()) {
    const createdAt = tick(Math.round(spacing * (0.5 + random.next())));
    const body = organizationBody(
      random,
      seed,
      index + 1,
      random.pick(['info', 'info', 'sales', 'contact', 'office']),
    );
    const id = await create(store, 'Relationship_Organization', body, createdAt);
    const country = countries[seed.country];
    const domain = domainOf(seed);
    const contacts: string[] = [];
    const titles = shuffle(random, contactJobTitles);
    const contactCount = random.int(1, 4);
    for (let c = 0; c < contactCount; c++) {
      const first = random.pick(firstNames[country.locale]);
      const last = random.pick(lastNames[country.locale]);
      contacts.push(
        await create(
          store,
          'Relation_Person_Contact',
          {
            ID: random.uuid(),
            FirstName: first,
            LastName: last,
            JobTitle: titles[c],
            EmailAddress: emailAddress(first, last, domain),
            PhoneNumber: phoneNumber(random, country),
            Organization: { ID: id },
            SortIndex: customers.length * 4 + c + 1,
          },
          tick(60_000),
        ),
      );
    }
    customers.push({ id, name: seed.name, country, contacts });
  }
  return { reps, customers, competitors, priceListId, products };
}

function organizationBody(random: Random, seed: CustomerSeed, sortIndex: number, mailbox: string) {
  const country = countries[seed.country];
  const domain = domainOf(seed);
  return {
    ID: random.uuid(),
    Name: seed.name,
    City: seed.city,
    Country: country.name,
    Website: `https://www.${domain}`,
    PhoneNumber: phoneNumber(random, country),
    EmailAddress: `${mailbox}@${domain}`,
    Industry: seed.industry,
    NumberOfEmployees: Math.round(significant(Math.exp(random.next() * Math.log(5000 / 10)) * 10, 2)),
    SortIndex: sortIndex,
  };
}

const legalForms =
  /\b(B\.?V\.?|N\.?V\.?|NV|GmbH|AG|KG|Ltd|plc|LLC|Inc\.?|Co\.?|Coöperatie|Stichting)(?=\s|$)/gi;

/** 'Müller & Söhne Maschinenbau' → 'mueller-soehne-maschinenbau.de' */
function domainOf(seed: CustomerSeed) {
  const words = ascii(seed.name.replace(legalForms, ''))
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return `${words.join(words.length > 2 ? '-' : '')}.${countries[seed.country].tld}`;
}

function emailAddress(first: string, last: string, domain: string) {
  const part = (s: string) =>
    ascii(s)
      .toLowerCase()
      .replace(/['’]/g, '')
      .replace(/[^a-z0-9]+/g, '');
  return `${part(first)}.${part(last)}@${domain}`;
}

const transliterations: Record<string, string> = {
  ä: 'ae',
  ö: 'oe',
  ü: 'ue',
  Ä: 'Ae',
  Ö: 'Oe',
  Ü: 'Ue',
  ß: 'ss',
};

/** German umlauts as the Germans write them without; other accents dropped. */
function ascii(s: string) {
  return s
    .replace(/[äöüÄÖÜß]/g, (c) => transliterations[c])
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

function phoneNumber(random: Random, country: CountryInfo) {
  const digits = (n: number) => Array.from({ length: n }, () => random.int(0, 9)).join('');
  if (country.phone === '+1') return `+1 ${random.int(201, 989)} ${digits(3)} ${digits(4)}`;
  return `${country.phone} ${random.int(10, 99)} ${digits(3)} ${digits(4)}`;
}

// ---------------------------------------------------------------------------------------------
// Opportunities

interface OpportunityPlan {
  body: Record<string, unknown>;
  /** product line bodies, without the link to the opportunity */
  lines: Record<string, unknown>[];
  createdAt: number;
  /** what the deal was created with instead (its first phase, an earlier amount or date; undefined: left out) */
  initial: Record<string, unknown>;
  /** how it got from there to `body`, in time order: phase moves, a new amount or date, the close */
  moves: { at: number; patch: Record<string, unknown> }[];
  /** a later write (a rep reviewing the deal), which moves LastMutationDate */
  touchedAt?: number;
}

async function createOpportunity(store: Store, plan: OpportunityPlan) {
  const first = Object.fromEntries(
    Object.entries({ ...plan.body, ...plan.initial }).filter(([, value]) => value !== undefined),
  );
  const id = await create(store, 'Activity_SalesOpportunity', first, plan.createdAt);
  for (const line of plan.lines) {
    await create(store, 'ProductLine', { ...line, Activity: { ID: id } }, plan.createdAt);
  }
  const deals = set('Activity_SalesOpportunity');
  for (const move of plan.moves) {
    await updateEntity(store, deals, id, move.patch, undefined, new Date(move.at).toISOString());
  }
  const lastMove = plan.moves.at(-1)?.at ?? plan.createdAt;
  if (plan.touchedAt !== undefined && plan.touchedAt > lastMove)
    await create(store, 'Activity_SalesOpportunity', { ID: id }, plan.touchedAt);
}

/** Decides every field of the i-th opportunity; pure apart from the random it draws from. */
class OpportunityPlanner {
  private readonly workdays: number[];
  private readonly repWeights: number[];
  private readonly partnerManager: number;

  constructor(
    private readonly random: Random,
    private readonly now: number,
    private readonly total: number,
    private readonly reference: ReferenceData,
    private readonly master: MasterData,
  ) {
    // Opportunities are created on working days, spread evenly (in creation order) over the history.
    this.workdays = [];
    for (let d = startOfDay(now - historyDays * day); d <= now; d += day) {
      const weekday = new Date(d).getUTCDay();
      if (weekday !== 0 && weekday !== 6) this.workdays.push(d);
    }
    if (!this.workdays.length) this.workdays.push(startOfDay(now));
    this.repWeights = master.reps.map((rep) =>
      rep.jobTitle === 'Head of sales' ? 2 : rep.jobTitle === 'Partner manager' ? 1 : 5,
    );
    this.partnerManager = Math.max(
      0,
      master.reps.findIndex((rep) => rep.jobTitle === 'Partner manager'),
    );
  }

  next(index: number): OpportunityPlan {
    const { random, reference, master } = this;
    const createdAt = this.creationTime(index);
    const age = (this.now - createdAt) / (historyDays * day); // 0 (today) … 1 (18 months ago)

    const pipeline = weighted(random, reference.pipelines, (p) => p.weight);
    const kind = pipelineKind(pipeline.name);
    // a few large customers bring most deals
    const customer = master.customers[Math.floor(master.customers.length * random.next() ** 1.6)];
    const contact = random.chance(0.9) ? random.pick(customer.contacts) : null;
    const currency: Currency = random.chance(0.92) ? customer.country.currency : 'EUR';

    // older deals are more often closed; ~25% of all, 60:40 won:lost
    const canClose = this.now - createdAt > 14 * day;
    const closed = canClose && random.chance(age * 0.5);
    const won = closed && random.chance(0.6);
    let phase: Phase;
    if (!closed) {
      const n = pipeline.phases.length;
      phase = weighted(random, pipeline.phases, (_, i) => n - i);
    } else phase = won ? reference.won : reference.lost;

    const expected = closed ? this.closedExpectedDate(createdAt) : this.openExpectedDate(createdAt);

    const lines = this.productLines(kind, currency, expected);
    const linesTotal = lines.reduce((sum, line) => sum + line.net, 0);
    const estimated = lines.length
      ? clamp(Math.round(linesTotal / 100) * 100, 1000, 250_000)
      : clamp(significant(Math.exp(random.next() * Math.log(250)) * 1000, 2), 1000, 250_000);

    const mainProduct = lines.length ? lines[0].product : random.pick(master.products);
    const subject = this.subject(kind, customer, mainProduct, expected);

    const body: Record<string, unknown> = {
      ID: random.uuid(),
      Subject: subject,
      Relationship: { ID: customer.id },
      Contact: link(contact),
      SalesRepresentative: {
        ID: master.reps[
          kind === 'partnership' && random.chance(0.7)
            ? this.partnerManager
            : weightedIndex(random, this.repWeights)
        ].id,
      },
      Source: { ID: this.source(kind).id },
      Pipeline: { ID: pipeline.id },
      Phase: { ID: phase.id },
      EstimatedAmount: estimated,
      Currency: currency,
      ExpectedOrderDate: isoDate(expected),
      PriceList: { ID: master.priceListId },
      SortIndex: index + 1,
    };
    if (!closed && random.chance(0.2)) {
      // the rep's own judgement instead of the phase's default
      const delta = random.pick([-15, -10, -5, 5, 10, 15]);
      body.Probability = clamp(phase.probability + delta, 5, 95);
    }
    if (closed && !won) {
      const reason = weighted(random, reference.lostReasons, (r) => (/competitor/i.test(r.name) ? 6 : 2));
      body.LostReason = { ID: reason.id };
      if (/competitor/i.test(reason.name) || random.chance(0.3)) {
        body.LostToCompetitor = { ID: random.pick(master.competitors) };
      }
    }
    // reps keep most live deals up to date: the last change is recent, so stale cards stand out
    const touchedAt =
      !closed && random.chance(0.75)
        ? Math.max(createdAt, Math.round((this.now - random.next() * 12 * day) / 1000) * 1000)
        : undefined;
    const history = this.history(index, body, { createdAt, touchedAt, pipeline, phase, closed, expected });
    return { body, lines: lines.map((line) => line.body), createdAt, touchedAt, ...history };
  }

  /**
   * The way a deal came to be as it is, so that the journal (a deal's history, forecast movement)
   * has phase moves, re-estimates, moved dates and closes to show: created in an earlier phase,
   * moved on phase by phase, closed on its expected date. Drawn from a random source of its own
   * (per deal), so that the deals themselves are the same as without it.
   */
  private history(
    index: number,
    body: Record<string, unknown>,
    deal: {
      createdAt: number;
      touchedAt?: number;
      pipeline: PipelineRef;
      phase: Phase;
      closed: boolean;
      expected: number;
    },
  ): Pick<OpportunityPlan, 'initial' | 'moves'> {
    const random = seededRandom(0x5eed + index * 7919);
    const { createdAt, pipeline, closed } = deal;
    const phases = pipeline.phases;
    const reached = closed ? random.int(0, phases.length - 1) : Math.max(0, phases.indexOf(deal.phase));
    const first = random.chance(0.75) ? 0 : random.int(0, reached);
    const end = closed
      ? Math.min(this.now, Math.max(createdAt + day, deal.expected))
      : (deal.touchedAt ?? createdAt + (this.now - createdAt) * (0.3 + 0.5 * random.next()));
    const patches: Record<string, unknown>[] = [];
    for (let i = first + 1; i <= reached; i++) patches.push({ Phase: { ID: phases[i].id } });
    const initial: Record<string, unknown> = { Phase: { ID: phases[first].id } };
    const { Probability, LostReason, LostToCompetitor } = body;
    if (closed) {
      const close: Record<string, unknown> = { Phase: body.Phase };
      if (LostReason) close.LostReason = LostReason;
      if (LostToCompetitor) close.LostToCompetitor = LostToCompetitor;
      initial.LostReason = undefined;
      initial.LostToCompetitor = undefined;
      patches.push(close);
    }
    if (Probability !== undefined) {
      // the rep's own judgement came with the last move, or at the start
      if (patches.length) {
        initial.Probability = undefined;
        patches[patches.length - 1].Probability = Probability;
      }
    }
    if (random.chance(0.2)) {
      const estimated = body.EstimatedAmount as number;
      initial.EstimatedAmount = Math.max(1000, significant(estimated * (0.6 + 0.8 * random.next()), 2));
      patches.splice(random.int(0, patches.length), 0, { EstimatedAmount: estimated });
    }
    if (!closed && random.chance(0.25)) {
      // expected earlier or later at first, re-planned since
      const shifted = deal.expected + (random.chance(0.6) ? -1 : 1) * random.int(20, 60) * day;
      initial.ExpectedOrderDate = isoDate(Math.max(createdAt, shifted));
      patches.splice(random.int(0, patches.length), 0, { ExpectedOrderDate: body.ExpectedOrderDate });
    }
    // the moves at seconds spread over the deal's life, in order
    const span = Math.max(0, end - createdAt);
    const times = patches
      .map(() => createdAt + 1000 + random.next() * Math.max(0, span - 1000))
      .sort((a, b) => a - b)
      .map((t) => Math.min(this.now, Math.round(t / 1000) * 1000));
    if (closed && times.length) times[times.length - 1] = Math.round(end / 1000) * 1000;
    for (let i = 1; i < times.length; i++) times[i] = Math.max(times[i], times[i - 1] + 1000);
    return { initial, moves: patches.map((patch, i) => ({ at: times[i], patch })) };
  }

  /** Monotonic: the i-th of n opportunities is created at the i/n-th working hour of the history. */
  private creationTime(index: number) {
    const position = ((index + this.random.next()) / Math.max(1, this.total)) * this.workdays.length;
    const dayIndex = Math.min(this.workdays.length - 1, Math.floor(position));
    const time = this.workdays[dayIndex] + 8 * 3_600_000 + (position - dayIndex) * 10 * 3_600_000;
    return Math.min(Math.round(time / 1000) * 1000, this.now);
  }

  /** Closed deals closed in the last six months, some time after they were created. */
  private closedExpectedDate(createdAt: number) {
    const from = Math.max(createdAt + 14 * day, this.now - 180 * day);
    return this.monthEndSometimes(from + this.random.next() * Math.max(0, this.now - from), this.now);
  }

  /** Open deals: most within the coming year, near-term more likely; some overdue. */
  private openExpectedDate(createdAt: number) {
    const { random, now } = this;
    if (now - createdAt > 45 * day && random.chance(0.15)) {
      const from = Math.max(createdAt + 14 * day, now - 90 * day);
      return from + random.next() * (now - day - from);
    }
    return this.monthEndSometimes(now + day + random.next() ** 1.5 * 364 * day, now + 365 * day);
  }

  /** Sales people like to forecast the end of a month. */
  private monthEndSometimes(time: number, max: number) {
    if (!this.random.chance(0.3)) return time;
    const date = new Date(time);
    const monthEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0);
    return monthEnd <= max ? monthEnd : time;
  }

  private source(kind: DealKind) {
    const { random, reference } = this;
    const byName = (name: string) => reference.sources.find((s) => s.name === name);
    if (kind === 'renewal' && random.chance(0.85))
      return byName('Existing customer') ?? random.pick(reference.sources);
    if (kind === 'partnership' && random.chance(0.7))
      return byName('Partner') ?? random.pick(reference.sources);
    const weights: Record<string, number> = {
      Website: 6,
      Referral: 4,
      'Trade show': 2,
      'Cold call': 2,
      Partner: 2,
      LinkedIn: 3,
      'Existing customer': 3,
    };
    return weighted(random, reference.sources, (s) => weights[s.name] ?? 2);
  }

  private productLines(kind: DealKind, currency: Currency, expected: number) {
    const { random, master } = this;
    const count = weightedIndex(random, kind === 'partnership' ? [50, 30, 15, 5, 0] : [12, 24, 24, 22, 18]);
    const candidates =
      kind === 'renewal'
        ? master.products.filter((p) => p.kind === 'licence' || p.kind === 'support')
        : master.products;
    const chosen = shuffle(random, candidates).slice(0, count);
    // licences first: the deal is usually named after them
    chosen.sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]);
    const rate = currencyRates[currency];
    return chosen.map((product) => {
      const [low, high] = product.quantity;
      let quantity = random.int(low, high);
      if (quantity > 10) quantity = Math.round(quantity / 5) * 5;
      const price = round2(product.price * rate);
      const discount = random.chance(0.25) ? random.pick([5, 10, 10, 12.5, 15, 20]) : null;
      const body: Record<string, unknown> = {
        ID: random.uuid(),
        Description: product.name,
        Quantity: quantity,
        Price: price,
        VatPercentage: product.vat,
        PurchasePrice: round2(product.purchasePrice * rate),
        Product: { ID: product.id },
      };
      if (discount !== null) body.DiscountPercentage = discount;
      if (product.kind === 'licence' || product.kind === 'support') {
        // a year's subscription from the first of the month after the order
        const date = new Date(expected);
        const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
        const end = Date.UTC(date.getUTCFullYear() + 1, date.getUTCMonth() + 1, 0);
        body.StartDate = isoDate(start);
        body.EndDate = isoDate(end);
      }
      return { body, product, net: quantity * price * (1 - (discount ?? 0) / 100) };
    });
  }

  private subject(kind: DealKind, customer: Customer, product: ProductSeed, expected: number) {
    const { random } = this;
    const name = customer.name;
    if (kind === 'renewal') {
      const year = new Date(expected).getUTCFullYear();
      return random.pick([
        `Renewal ${year} for ${name}`,
        `${product.project} renewal – ${name}`,
        `Contract renewal ${name} ${year}`,
        `${name}: renewal and upsell`,
      ]);
    }
    if (kind === 'partnership') {
      return random.pick([
        `${random.pick(partnershipSubjects)} with ${name}`,
        `${name} – ${lowerFirst(random.pick(partnershipSubjects))}`,
      ]);
    }
    switch (random.int(0, 5)) {
      case 0:
      case 1:
        return `${product.project} for ${name}`;
      case 2:
        return `${random.pick(projectSubjects)} for ${name}`;
      case 3:
        return `${name} – ${lowerFirst(random.pick(projectSubjects))}`;
      case 4:
        return `${product.project} at ${name}`;
      default:
        return `${name}: ${lowerFirst(product.project)}`;
    }
  }
}

type DealKind = 'new' | 'renewal' | 'partnership';
const pipelineKind = (name: string): DealKind =>
  /renewal/i.test(name) ? 'renewal' : /partner/i.test(name) ? 'partnership' : 'new';
const kindOrder = { licence: 0, support: 1, service: 2, hardware: 3 } as const;

// ---------------------------------------------------------------------------------------------
// Helpers

function weightedIndex(random: Random, weights: readonly number[]) {
  const sum = weights.reduce((a, b) => a + b, 0);
  let r = random.next() * sum;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

function weighted<T>(random: Random, items: readonly T[], weight: (item: T, index: number) => number): T {
  return items[weightedIndex(random, items.map(weight))];
}

function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** 'Sales analytics' → 'sales analytics', but 'CRM replacement' stays. */
const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Rounds to `digits` significant digits: 123456 → 120000. */
function significant(n: number, digits: number) {
  if (n <= 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(n)) - digits + 1);
  return Math.round(n / scale) * scale;
}

const startOfDay = (time: number) => Math.floor(time / day) * day;
const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);
