// Mirroring a running Dealdeck service (the source, over HTTP) into an empty database: the same
// records, counts and sums; after changes, creations and deletions at the source an incremental
// run (delta links, or LastMutationDate without them) matches again; an interrupted run resumes;
// a bad source gets a clear message. On SQLite and (DEALDECK_TEST_DB=postgres) PostgreSQL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/database.ts';
import { versionColumn } from '../db/schema.ts';
import { readJournal } from '../journal/journal.ts';
import { tablesInDependencyOrder } from '../model/model.ts';
import { withEmptyStores } from '../test-support/empty-stores.ts';
import { withTestService } from '../test-support/test-service.ts';
import { type SyncOptions, syncFrom } from './sync.ts';
import { syncStateTable } from './sync-state.ts';

type Row = Record<string, any>;

const service = withTestService({ demoData: true, demoSize: 20 });
const emptyStore = withEmptyStores();

const tables = tablesInDependencyOrder().map((root) => root.table);

/** Every row of every table of the model, without the row version (each database counts its own writes). */
async function contents(store: Store) {
  const all: Record<string, Row[]> = {};
  for (const table of tables) {
    const rows = (await store.db.selectFrom(table).selectAll().orderBy('ID').execute()) as Row[];
    all[table] = rows.map(({ [versionColumn]: _version, ...rest }) => rest);
  }
  return all;
}

/** Counts per table and the sums the forecast reads. */
async function countsAndSums(store: Store) {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = (await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()) as Row;
    counts[table] = Number(row.n);
  }
  const sums = (await store.db
    .selectFrom('activity')
    .select((eb) => [
      eb.fn.sum('EstimatedAmount').as('estimated'),
      eb.fn.sum('WeightedAmount').as('weighted'),
      eb.fn.sum('TotalSalesExcludingVAT').as('sales'),
    ])
    .executeTakeFirstOrThrow()) as Row;
  // to the cent: a sum of doubles depends on the order the database adds them in
  const cents = (value: unknown) => Math.round(Number(value) * 100) / 100;
  return {
    counts,
    estimated: cents(sums.estimated),
    weighted: cents(sums.weighted),
    sales: cents(sums.sales),
  };
}

async function expectMirrored(target: Store) {
  const source = service.server.store;
  expect(await countsAndSums(target)).toEqual(await countsAndSums(source));
  const [before, after] = [await contents(source), await contents(target)];
  for (const table of tables) {
    expect(after[table].length, table).toBe(before[table].length);
    for (const [index, record] of before[table].entries()) expect(after[table][index], table).toEqual(record);
  }
}

const options = (more: Partial<SyncOptions> = {}): SyncOptions => ({
  from: service.server.serviceRoot,
  token: service.apiToken,
  pageSize: 7,
  ...more,
});

/** Changes at the source through its API: an edit, a new deal with a line and a child deal, a deletion. */
async function changeSource(tag: string) {
  const { api } = service;
  const deals = (await api('/Activity_SalesOpportunity?$top=3&$orderby=ID')).body.value as Row[];
  const edited = await api(`/Activity_SalesOpportunity(${deals[0].ID})`, {
    method: 'PATCH',
    json: { EstimatedAmount: 123_456, Subject: `Edited ${tag}` },
  });
  expect(edited.status).toBeLessThan(300);
  // the child sorts before its parent: a sync reading by ID meets the link before its target
  const parent = (
    await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: {
        ID: `ffffffff-0000-4000-8000-${tag.padStart(12, '0')}`,
        Subject: `Parent ${tag}`,
        EstimatedAmount: 1000,
      },
    })
  ).body;
  expect(parent.ID).toBeDefined();
  const child = await api('/Activity_SalesOpportunity', {
    method: 'POST',
    json: {
      ID: `00000000-0000-4000-8000-${tag.padStart(12, '0')}`,
      Subject: `Child ${tag}`,
      EstimatedAmount: 500,
      Activity: { ID: parent.ID },
    },
  });
  expect(child.status).toBe(201);
  const line = await api('/ProductLine', {
    method: 'POST',
    json: { Description: `Line ${tag}`, Quantity: 2, Price: 300, Activity: { ID: parent.ID } },
  });
  expect(line.status).toBe(201);
  const deleted = await api(`/Activity_SalesOpportunity(${deals[1].ID})`, { method: 'DELETE' });
  expect(deleted.status).toBe(204);
}

describe('a mirror of a running service', () => {
  let target: Store;
  const logged: string[] = [];

  beforeAll(async () => {
    target = await emptyStore();
    await syncFrom(target, options({ log: (line) => logged.push(line) }));
  });

  it('copies every set into an empty database: the same counts, sums and records, dates and numbers', async () => {
    await expectMirrored(target);
    expect(logged.some((line) => /^Activity_SalesOpportunity: \d+ records read \(in full;/.test(line))).toBe(
      true,
    );
  });

  it('journals the copies under the sync, not as anyone of the target', async () => {
    const entries = await readJournal(target);
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((entry) => entry.actor.id))).toEqual(new Set(['sync']));
    expect(entries[0].actor.name).toBe(`Sync from ${new URL(service.server.serviceRoot).host}`);
  });

  it('copies what changed on a second run, through delta links: edits, new records, links within a set, deletions', async () => {
    await changeSource('1');
    const lines: string[] = [];
    const summary = await syncFrom(target, options({ log: (line) => lines.push(line) }));
    expect(summary.sets.every((set) => set.read === 'delta')).toBe(true);
    expect(summary.removed).toBeGreaterThan(0);
    expect(summary.problems).toBe(0);
    await expectMirrored(target);
    const child = (await target.db
      .selectFrom('activity')
      .select(['ActivityID', 'Subject'])
      .where('ID', '=', '00000000-0000-4000-8000-000000000001')
      .executeTakeFirstOrThrow()) as Row;
    expect(child).toEqual({ ActivityID: 'ffffffff-0000-4000-8000-000000000001', Subject: 'Child 1' });
    // the delta holds only what changed, not the whole set
    const opportunities = summary.sets.find((set) => set.setName === 'Activity_SalesOpportunity')!;
    expect(opportunities.records).toBeLessThan(10);
  });

  it('reads nothing on a run without changes', async () => {
    const summary = await syncFrom(target, options());
    expect(summary.sets.reduce((sum, set) => sum + set.records, 0)).toBe(0);
    await expectMirrored(target);
  });
});

describe('an interrupted sync', () => {
  it('resumes at the page it did not finish and ends identical', async () => {
    const target = await emptyStore();
    let pageFetches = 0;
    const failing: typeof fetch = (input, init) => {
      if (String(input).includes('/Activity_SalesOpportunity') && ++pageFetches === 3) {
        return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }));
      }
      return fetch(input, init);
    };
    await expect(syncFrom(target, options({ fetch: failing }))).rejects.toThrow(
      /^Cannot reach the source at .*Activity_SalesOpportunity.*: ECONNRESET$/,
    );
    const state = (await target.db
      .selectFrom(syncStateTable)
      .select(['SetName', 'NextLink'])
      .where('SetName', '=', 'Activity_SalesOpportunity')
      .executeTakeFirstOrThrow()) as Row;
    expect(state.NextLink).toContain('$skiptoken=');
    const written = Number(
      (
        (await target.db
          .selectFrom('activity')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()) as Row
      ).n,
    );
    expect(written).toBe(14);

    const summary = await syncFrom(target, options());
    const opportunities = summary.sets.find((set) => set.setName === 'Activity_SalesOpportunity')!;
    expect(opportunities.resumed).toBe(true);
    expect(opportunities.read).toBe('full');
    await expectMirrored(target);
  });
});

describe('a source without delta links', () => {
  it('copies changes by LastMutationDate on the second run', async () => {
    const target = await emptyStore();
    await syncFrom(target, options({ changeTracking: false }));
    await expectMirrored(target);
    const { api } = service;
    const deal = (await api('/Activity_SalesOpportunity?$top=1&$orderby=ID desc')).body.value[0] as Row;
    await api(`/Activity_SalesOpportunity(${deal.ID})`, { method: 'PATCH', json: { EstimatedAmount: 777 } });
    const created = await api('/Activity_SalesOpportunity', { method: 'POST', json: { Subject: 'Since' } });
    const summary = await syncFrom(target, options({ changeTracking: false }));
    expect(summary.sets.every((set) => set.read === 'changed since')).toBe(true);
    const rows = (await target.db
      .selectFrom('activity')
      .select(['ID', 'EstimatedAmount'])
      .where('ID', 'in', [deal.ID, created.body.ID])
      .orderBy('EstimatedAmount')
      .execute()) as Row[];
    expect(rows.map((row) => (row.ID === deal.ID ? row.EstimatedAmount : 'created'))).toContain(777);
    expect(rows).toHaveLength(2);
  });
});

describe('a source that refuses change tracking', () => {
  it('reads each set without it, and by LastMutationDate next time', async () => {
    const target = await emptyStore();
    const refusing: typeof fetch = (input, init) => {
      const prefer = new Headers(init?.headers).get('prefer') ?? '';
      if (prefer.includes('track-changes')) {
        const error = { error: { code: 'NotImplemented', message: 'Change tracking is not supported' } };
        return Promise.resolve(Response.json(error, { status: 501 }));
      }
      return fetch(input, init);
    };
    const lines: string[] = [];
    await syncFrom(target, options({ fetch: refusing, log: (line) => lines.push(line) }));
    await expectMirrored(target);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^Activity_SalesOpportunity: the source refuses change tracking \(GET \S+ answered HTTP 501: Change tracking is not supported\): reading without it$/,
      ),
    );
    expect(
      lines.some((line) =>
        /^Activity_SalesOpportunity: \d+ records read \(in full; next run reads by LastMutationDate\)/.test(
          line,
        ),
      ),
    ).toBe(true);
    const summary = await syncFrom(target, options({ fetch: refusing }));
    expect(summary.sets.every((set) => set.read === 'changed since')).toBe(true);
  });
});

describe('a source that cannot expand a link', () => {
  it('copies the records without that link, and still follows delta links', async () => {
    const target = await emptyStore();
    const noContact: typeof fetch = (input, init) => {
      if (decodeURIComponent(String(input)).includes('Contact($select=ID)')) {
        const error = { error: { code: 'BadRequest', message: 'Unknown navigation property Contact' } };
        return Promise.resolve(Response.json(error, { status: 400 }));
      }
      return fetch(input, init);
    };
    const lines: string[] = [];
    await syncFrom(target, options({ fetch: noContact, log: (line) => lines.push(line) }));
    expect(lines).toContain(
      'Activity_SalesOpportunity: the source cannot expand Contact: those links are not copied',
    );
    expect(
      lines.some((line) =>
        /^Activity_SalesOpportunity: \d+ records read \(in full; next run follows its delta link\)/.test(
          line,
        ),
      ),
    ).toBe(true);
    const columns = ['ID', 'ContactID', 'RelationshipID', 'PhaseID', 'LastMutationDate'] as const;
    const read = (store: Store) =>
      store.db.selectFrom('activity').select(columns).orderBy('ID').execute() as Promise<Row[]>;
    const [before, after] = [await read(service.server.store), await read(target)];
    expect(before.some((row) => row.ContactID)).toBe(true);
    expect(after).toEqual(before.map((row) => ({ ...row, ContactID: null })));
  });
});

describe('OAuth2 client credentials', () => {
  let tokenServer: Server;
  let tokenUrl: string;
  const requests: { authorization?: string; body: string }[] = [];

  beforeAll(async () => {
    // a token endpoint per RFC 6749 §4.4: the first token it issues the source refuses (revoked)
    tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        requests.push({ authorization: req.headers.authorization, body });
        const valid =
          req.headers.authorization === `Basic ${Buffer.from('dealdeck-sync:s3cret').toString('base64')}`;
        res.setHeader('Content-Type', 'application/json');
        if (!valid || !body.includes('grant_type=client_credentials')) {
          res.statusCode = 401;
          res.end(
            JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }),
          );
          return;
        }
        const token = requests.length === 1 ? 'revoked-token' : service.apiToken;
        res.end(
          JSON.stringify({
            access_token: token,
            token_type: 'bearer',
            expires_in: 3600,
            scope: 'read write offline',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/oauth2/token`;
  });

  afterAll(() => new Promise<void>((resolve) => tokenServer.close(() => resolve())));

  it('fetches a token, fetches a new one when the source refuses it, and keeps it', async () => {
    const target = await emptyStore();
    const credentials = {
      tokenUrl,
      clientId: 'dealdeck-sync',
      clientSecret: 's3cret',
      scope: 'read write offline',
    };
    await syncFrom(target, options({ token: undefined, credentials }));
    await expectMirrored(target);
    expect(requests).toHaveLength(2);
    expect(requests[0].body).toBe('grant_type=client_credentials&scope=read+write+offline');
  });

  it('says when the token URL refuses the client', async () => {
    const target = await emptyStore();
    const credentials = { tokenUrl, clientId: 'dealdeck-sync', clientSecret: 'wrong' };
    await expect(syncFrom(target, options({ token: undefined, credentials }))).rejects.toThrow(
      `The token URL ${tokenUrl} refused the client credentials (invalid_client: Client authentication failed)`,
    );
  });
});

describe('a bad source', () => {
  let target: Store;
  beforeAll(async () => {
    target = await emptyStore();
  });

  it('names a --from that is not a URL', async () => {
    await expect(syncFrom(target, options({ from: 'api.example.com/v1/odata' }))).rejects.toThrow(
      '--from must be the service root URL, such as https://api.tribecrm.nl/v1/odata (got api.example.com/v1/odata)',
    );
  });

  it('names an address that is not an OData service root', async () => {
    await expect(syncFrom(target, options({ from: `${service.server.origin}/v1/nothing` }))).rejects.toThrow(
      `${service.server.origin}/v1/nothing is not an OData service root`,
    );
  });

  it('says the source refused the token', async () => {
    await expect(syncFrom(target, options({ token: 'not-a-token' }))).rejects.toThrow(
      /^The source refused the token \(HTTP 401 for GET /,
    );
  });

  it('says the source cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(syncFrom(target, options({ from: `http://127.0.0.1:${port}/v1/odata` }))).rejects.toThrow(
      `Cannot reach the source at http://127.0.0.1:${port}/v1/odata: ECONNREFUSED`,
    );
    // nothing was written, and no state kept
    expect(await target.db.selectFrom(syncStateTable).selectAll().execute()).toEqual([]);
  });
});
