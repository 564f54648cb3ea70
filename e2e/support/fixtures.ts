// Test fixtures: the service's API for arranging data and checking writes, a fresh opportunity
// per test with a unique subject, so tests never depend on the demo data's shape, and the e2e
// people (the tests run signed in as the manager unless they use another's storage state).
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { type E2EPerson, type PersonKey, readPeople } from './people';
import { type PhaseRow, ServiceApi } from './service-api';

interface Board {
  pipelineId: string;
  phases: PhaseRow[];
  phase(code: string): PhaseRow;
}

interface Fixtures {
  api: ServiceApi;
  board: Board;
  /** creates an opportunity in the first pipeline's phase with this code */
  createOpportunity(code: string, extra?: Record<string, unknown>): Promise<{ ID: string; Subject: string }>;
  /** the e2e people, with their employee records */
  people: Record<PersonKey, E2EPerson>;
}

let counter = 0;

export const test = base.extend<Fixtures>({
  api: async ({ baseURL }, use) => {
    await use(new ServiceApi(`${baseURL}/v1/odata`));
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a fixture needs from this pattern
  people: async ({}, use) => {
    await use(readPeople());
  },
  board: async ({ api }, use) => {
    const [pipeline] = await api.pipelines();
    const phases = await api.phases(pipeline.ID);
    await use({
      pipelineId: pipeline.ID,
      phases,
      phase: (code) => {
        const phase = phases.find((p) => p.Code === code);
        if (!phase) throw new Error(`No phase ${code}`);
        return phase;
      },
    });
  },
  createOpportunity: async ({ api, board }, use, testInfo) => {
    await use(async (code, extra = {}) => {
      const Subject = `E2E ${testInfo.title.slice(0, 40).trim()} ${Date.now().toString(36)}${++counter}`;
      return api.create('Activity_SalesOpportunity', {
        Subject,
        EstimatedAmount: 12_000,
        Currency: 'EUR',
        Phase: { ID: board.phase(code).ID },
        Pipeline: { ID: board.pipelineId },
        ...extra,
      });
    });
  },
});

export { expect };

export const column = (page: Page, name: string) =>
  page.getByRole('region', { name: new RegExp(`^${name}`) });
/** A column's header: its name, count and per-currency totals, e.g. "Lead1 opportunities€12,000weighted €1,200". */
export const totals = (page: Page, name: string) => column(page, name).locator('header');
export const card = (scope: Page | Locator, subject: string) =>
  scope.getByRole('article', { name: subject, exact: true });

/** Opens the board filtered to one subject, so the card under test is the only one shown. */
export async function openBoardFor(page: Page, pipelineId: string, search: string, subject = search) {
  await page.goto(`/?pipeline=${pipelineId}&q=${encodeURIComponent(search)}`);
  await expect(card(page, subject)).toBeVisible();
}

/** The answer to the next PATCH of a record: what the board's drop or the drawer's save wrote. */
export const patchOf = (page: Page, id: string) =>
  page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(id));

/**
 * Picks a card up and holds it over a target, in small steps as a hand would (dnd-kit needs the
 * intermediate moves); `drop` lets go. `over` is where on the target: near its bottom (a column's
 * free space) or its top (above a card).
 */
export async function startDrag(
  page: Page,
  source: Locator,
  target: Locator,
  over: 'bottom' | 'top' = 'bottom',
) {
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  const x = to.x + to.width / 2;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 - 5, { steps: 3 });
  await page.mouse.move(x, over === 'bottom' ? to.y + to.height - 30 : to.y + 5, { steps: 12 });
  return {
    drop: async () => {
      // a last small move: dnd-kit settles the target on a move, not on the release
      await page.mouse.move(x, over === 'bottom' ? to.y + to.height - 20 : to.y + 6, { steps: 2 });
      await page.mouse.up();
    },
  };
}

/** A whole drag: picked up, held over the target, dropped. */
export async function dragTo(
  page: Page,
  source: Locator,
  target: Locator,
  over: 'bottom' | 'top' = 'bottom',
) {
  await (await startDrag(page, source, target, over)).drop();
}
