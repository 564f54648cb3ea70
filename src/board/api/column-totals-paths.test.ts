// The board's column sums by $apply and by paging agree on the same data, and the sums the
// board computes itself after a drop are the ones the service then reports. Against the real
// service (SQLite in memory, demo data plus a few awkward records), as the forecast's
// equivalent test does: jsdom keeps Node's own fetch, the client reads its settings from
// localStorage and resolves @odata.nextLink against window.location.
/// <reference types="node" />
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from '../../../server/start-server';
import type { AmountGroup } from '../../api/amount-group';
import { sets } from '../../api/entities';
import type { PhaseOption } from '../../api/lookup-queries';
import { odata } from '../../api/odata-client';
import { allOf, byId, type ODataFilter } from '../../api/odata-filter';
import { toODataFilter } from '../../filters/filter-model';
import { saveSettings } from '../../lib/settings-store';
import { type BoardCard, cardExpand, cardSelect } from './board-card';
import { fetchColumnSums } from './column-totals-query';
import { movedCard, moveInSums } from './move-in-cache';
import { moveBody } from './use-move-opportunity';

let server: RunningServer;
let pipelineId: string;
let phases: PhaseOption[];
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

const phase = (test: (p: PhaseOption) => boolean) => phases.find(test)!;

beforeAll(async () => {
  server = await startServer({ databaseUrl: ':memory:', apiToken, demoData: true, demoSize: 150, port: 0 });
  const pipelines = await call<{ value: { ID: string }[] }>('GET', `${sets.Pipeline}?$orderby=SortIndex`);
  pipelineId = pipelines.value[0].ID;
  phases = (
    await call<{ value: PhaseOption[] }>(
      'GET',
      `${sets.Phase}?$filter=Pipeline/ID eq ${pipelineId} or Pipeline eq null&$orderby=SortIndex`,
    )
  ).value;
  const reps = await call<{ value: { ID: string }[] }>('GET', `${sets.Employee}?$top=1`);
  repId = reps.value[0].ID;
  // Records the demo generator may never make: no amount, odd cents, a fourth currency.
  const lead = phase((p) => !p.IsWon && !p.IsLost);
  const base = { Phase: { ID: lead.ID }, Pipeline: { ID: pipelineId } };
  await call('POST', sets.SalesOpportunity, { ...base, Subject: 'No amount', Currency: 'EUR' });
  await call('POST', sets.SalesOpportunity, {
    ...base,
    Subject: 'Odd cents',
    EstimatedAmount: 1000.01,
    Probability: 33,
    Currency: 'USD',
    SalesRepresentative: { ID: repId },
  });
  await call('POST', sets.SalesOpportunity, {
    ...base,
    Subject: 'Swiss',
    EstimatedAmount: 1234.5,
    Currency: 'CHF',
  });
});
afterAll(() => server?.close());

const requests: string[] = [];
const nextLinks: string[] = [];
afterEach(() => vi.unstubAllGlobals());

/** The client's requests with small pages, so that the paging path must follow nextLinks. */
function smallPages() {
  // another origin than the page's (jsdom's http://localhost): the token is sent, as to the hosted CRM
  saveSettings({ baseUrl: server.serviceRoot, token: apiToken, staleDays: 14 });
  requests.length = 0;
  nextLinks.length = 0;
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    requests.push(String(input));
    const headers = new Headers(init.headers);
    headers.set('Prefer', 'odata.maxpagesize=25');
    const response = await realFetch(input, { ...init, headers });
    const body = await response.clone().json();
    if (body['@odata.nextLink']) nextLinks.push(body['@odata.nextLink']);
    return response;
  });
}

async function bothWays(filter: ODataFilter): Promise<{ apply: AmountGroup[]; paging: AmountGroup[] }> {
  smallPages();
  const apply = await fetchColumnSums(pipelineId, filter, true);
  // one request, whatever the size of the pipeline
  expect(requests).toHaveLength(1);
  expect(decodeURIComponent(requests[0])).toContain('$apply=filter(');
  const paging = await fetchColumnSums(pipelineId, filter, false);
  return { apply, paging };
}

const countOf = (groups: AmountGroup[]) => groups.reduce((n, g) => n + g.count, 0);

describe('board column sums: $apply and paging agree on the same data', () => {
  it('without filters, over several currencies, open and closed phases and pages', async () => {
    const { apply, paging } = await bothWays({});
    expect(nextLinks.length).toBeGreaterThanOrEqual(3);
    expect(paging).toEqual(apply);
    const columns = new Set(apply.map((g) => g.key));
    expect(columns).toContain(phase((p) => p.IsWon).ID);
    expect(columns).toContain(phase((p) => p.IsLost).ID);
    expect(apply.some((g) => g.currency === 'CHF' && g.estimated === 1234.5)).toBe(true);
    // every opportunity of the pipeline is counted once, in a column
    const all = await odata.listAll<{ ID: string }>(sets.SalesOpportunity, {
      select: ['ID'],
      filter: byId('Pipeline', pipelineId),
    });
    expect(countOf(apply)).toBe(all.length);
  });

  it('with the board filters: open only, a rep, an amount, a date window and a subject', async () => {
    const filter = toODataFilter({
      status: 'open',
      rep: repId,
      minEstimated: 500,
      expectedFrom: '2026-01-01',
      subject: 'a',
    });
    const { apply, paging } = await bothWays(filter);
    expect(paging).toEqual(apply);
    expect(countOf(apply)).toBeGreaterThan(0);
    expect(countOf(apply)).toBeLessThan(countOf((await bothWays({})).apply));
  });
});

describe('board column sums after a drop', () => {
  /** A card as the board loads it, in `phaseId`. */
  async function cardIn(phaseId: string): Promise<BoardCard> {
    const page = await odata.list<BoardCard>(sets.SalesOpportunity, {
      select: [...cardSelect],
      expand: cardExpand,
      filter: allOf(byId('Pipeline', pipelineId), byId('Phase', phaseId), { EstimatedAmount: { gt: 0 } }),
      top: 1,
    });
    return page.value[0];
  }

  it.each([
    ['another open phase', (p: PhaseOption, from: PhaseOption) => !p.IsWon && !p.IsLost && p.ID !== from.ID],
    ['Won', (p: PhaseOption) => p.IsWon],
    ['Lost', (p: PhaseOption) => p.IsLost],
  ])('to %s: the sums the board computes are the ones the service then reports', async (_, isTarget) => {
    smallPages();
    const from = phase((p) => !p.IsWon && !p.IsLost && p.Probability !== null);
    const to = phase((p) => isTarget(p, from));
    const card = await cardIn(from.ID);
    const before = await fetchColumnSums(pipelineId, {}, true);
    const expected = moveInSums(before, card, from.ID, movedCard(card, to, 1, true), to.ID);
    const lost = to.IsLost
      ? (await call<{ value: { ID: string }[] }>('GET', `${sets.LostReason}?$top=1`)).value[0]
      : null;
    await odata.update(
      sets.SalesOpportunity,
      card.ID,
      moveBody({
        pipelineId,
        card,
        fromPhaseId: from.ID,
        to,
        sortIndex: 1,
        lost: lost ? { reasonId: lost.ID } : undefined,
      }),
      card['@odata.etag'],
    );
    const after = await fetchColumnSums(pipelineId, {}, true);
    expect(after).toEqual(expected);
    expect(after).not.toEqual(before);
    expect(await fetchColumnSums(pipelineId, {}, false)).toEqual(after);
  });
});
