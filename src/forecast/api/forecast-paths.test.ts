// The two ways of computing the forecast give the same numbers on the same data: the real
// service (SQLite in memory, demo data plus a few awkward records) answers $apply, and the same
// service is paged through with small pages. It runs in jsdom like the other dashboard tests:
// the client resolves @odata.nextLink against window.location and keeps its settings in
// localStorage, and jsdom leaves Node's own fetch in place to reach the server.
/// <reference types="node" />
import { guid } from 'odata-query';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from '../../../server/start-server';
import { sets } from '../../api/entities';
import type { ODataFilter } from '../../api/odata-filter';
import { toODataFilter } from '../../filters/filter-model';
import { saveSettings } from '../../lib/settings-store';
import { fetchGroupsByPaging } from './fetch-groups-by-paging';
import { fetchGroupsViaApply } from './fetch-groups-via-apply';
import type { ForecastGroups } from './forecast-groups';

let server: RunningServer;
let pipelineId: string;
let repId: string;
const realFetch = globalThis.fetch;
/** the service's own token: every request needs a person or this */
const apiToken = 'dashboard-test-token';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await realFetch(`${server.serviceRoot}/${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      Authorization: `Bearer ${apiToken}`,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${await response.text()}`);
  return response.json() as Promise<T>;
}

beforeAll(async () => {
  server = await startServer({ databaseUrl: ':memory:', apiToken, demoData: true, demoSize: 120, port: 0 });
  const pipelines = await call<{ value: { ID: string }[] }>('GET', `${sets.Pipeline}?$orderby=SortIndex`);
  pipelineId = pipelines.value[0].ID;
  const phases = await call<{ value: { ID: string; IsWon: boolean; IsLost: boolean }[] }>(
    'GET',
    `${sets.Phase}?$filter=Pipeline/ID eq ${pipelineId}`,
  );
  const phase = phases.value.find((p) => !p.IsWon && !p.IsLost)!;
  const reps = await call<{ value: { ID: string }[] }>('GET', `${sets.Employee}?$top=1`);
  repId = reps.value[0].ID;
  // Records the demo generator may never make: no rep, no date, no amount, a fourth currency.
  const base = { Phase: { ID: phase.ID }, Pipeline: { ID: pipelineId } };
  await call('POST', sets.SalesOpportunity, {
    ...base,
    Subject: 'No rep, no date',
    EstimatedAmount: 1234.5,
    Currency: 'CHF',
  });
  await call('POST', sets.SalesOpportunity, {
    ...base,
    Subject: 'No amount',
    Currency: 'EUR',
    ExpectedOrderDate: '2027-01-15',
  });
  await call('POST', sets.SalesOpportunity, {
    ...base,
    Subject: 'Odd cents',
    EstimatedAmount: 1000.01,
    Probability: 33,
    Currency: 'USD',
    SalesRepresentative: { ID: repId },
  });
});
afterAll(() => server?.close());

const nextLinks: string[] = [];
afterEach(() => {
  vi.unstubAllGlobals();
  nextLinks.length = 0;
});

/** The client's requests with small pages, so that the paging path must follow nextLinks. */
function smallPages() {
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Prefer', 'odata.maxpagesize=25');
    const response = await realFetch(input, { ...init, headers });
    const body = await response.clone().json();
    if (body['@odata.nextLink']) nextLinks.push(body['@odata.nextLink']);
    return response;
  });
}

async function bothWays(filter: ODataFilter): Promise<[ForecastGroups, ForecastGroups]> {
  // another origin than the page's (jsdom's http://localhost): the token is sent, as to the hosted CRM
  saveSettings({ baseUrl: server.serviceRoot, token: apiToken, staleDays: 14 });
  smallPages();
  const scope = { pipelineId, filter };
  return [await fetchGroupsViaApply(scope), await fetchGroupsByPaging(scope)];
}

describe('forecast: $apply and paging agree on the same data', () => {
  it('without filters, over several currencies, nulls and pages', async () => {
    const [apply, paging] = await bothWays({});
    expect(nextLinks.length).toBeGreaterThanOrEqual(3);
    expect(paging).toEqual(apply);
    // the awkward records are in both
    expect(apply.byRep.some((g) => g.key === null && g.currency === 'CHF')).toBe(true);
    expect(apply.byDay.some((g) => g.key === null)).toBe(true);
    expect(new Set(apply.byPipeline.map((g) => g.currency)).size).toBeGreaterThanOrEqual(3);
    expect(apply.closedByPhase.length).toBeGreaterThan(0);
    expect(apply.byPipeline.map((g) => g.key)).toContain(pipelineId);
  });

  it('with the board filters: a rep, an amount, a date window and a subject', async () => {
    const filter = toODataFilter({
      rep: repId,
      minEstimated: 500,
      expectedFrom: '2026-01-01',
      subject: 'a',
    });
    const [apply, paging] = await bothWays(filter);
    expect(paging).toEqual(apply);
    const all = await bothWays({ 'SalesRepresentative/ID': { eq: guid(repId) } });
    const count = (g: ForecastGroups) => g.byPhase.reduce((n, x) => n + x.count, 0);
    expect(count(apply)).toBeLessThanOrEqual(count(all[0]));
    expect(count(all[1])).toBe(count(all[0]));
  });
});
