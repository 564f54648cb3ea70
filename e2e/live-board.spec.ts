// The live board: what one person does shows on another's board within a second, through
// Dealdeck's change stream (GET /v1/changes).
import type { Browser, Page } from '@playwright/test';
import {
  card,
  column,
  dragTo,
  expect,
  openBoardFor,
  patchOf,
  startDrag,
  test,
  totals,
} from './support/fixtures';
import { storageStateOf } from './support/people';

/** The board on these cards, once it hears the change stream ('Live'). */
async function openLiveBoard(page: Page, pipelineId: string, search: string, subject = search) {
  await openBoardFor(page, pipelineId, search, subject);
  await expect(page.getByRole('status', { name: /^Live/ })).toBeVisible();
}

/** A second person's board (a rep's), in a browser context of its own. */
async function repBoard(
  browser: Browser,
  pipelineId: string,
  search: string,
  subject = search,
): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateOf('repA') });
  const page = await context.newPage();
  await openLiveBoard(page, pipelineId, search, subject);
  return page;
}

test('a drag on one board shows on another within a second', async ({
  page,
  browser,
  board,
  createOpportunity,
}) => {
  const opportunity = await createOpportunity('Lead');
  await openLiveBoard(page, board.pipelineId, opportunity.Subject);
  const other = await repBoard(browser, board.pipelineId, opportunity.Subject);
  await expect(totals(other, 'Lead')).toContainText('1 opportunities');

  const saved = patchOf(page, opportunity.ID);
  await dragTo(page, card(page, opportunity.Subject), column(page, 'Qualified'));
  expect((await saved).status()).toBe(200);

  await expect(card(column(other, 'Qualified'), opportunity.Subject)).toBeVisible({ timeout: 1000 });
  await expect(card(column(other, 'Lead'), opportunity.Subject)).toHaveCount(0);
  await expect(totals(other, 'Qualified')).toContainText('1 opportunities', { timeout: 1000 });
  await expect(totals(other, 'Lead')).toContainText('0 opportunities');
  // the board that made the move shows it once, where it was dropped
  await expect(card(page, opportunity.Subject)).toHaveCount(1);
  await expect(card(column(page, 'Qualified'), opportunity.Subject)).toBeVisible();
  await other.screenshot({ path: 'test-results/screenshots/live-board-after-drag.png' });
  await other.context().close();
});

test('writes through the API show on the board: an edit, a move, a new deal, a deletion', async ({
  page,
  api,
  board,
  createOpportunity,
}) => {
  const opportunity = await createOpportunity('Lead');
  // the search matches the new deal below too
  const search = opportunity.Subject;
  await openLiveBoard(page, board.pipelineId, search, opportunity.Subject);

  await api.patch('Activity_SalesOpportunity', opportunity.ID, { EstimatedAmount: 34_000 });
  await expect(card(page, opportunity.Subject)).toContainText('34,000', { timeout: 1000 });
  await expect(totals(page, 'Lead')).toContainText('€34,000', { timeout: 1000 });

  await api.patch('Activity_SalesOpportunity', opportunity.ID, {
    Phase: { ID: board.phase('Qualified').ID },
  });
  await expect(card(column(page, 'Qualified'), opportunity.Subject)).toBeVisible({ timeout: 1000 });
  await expect(card(column(page, 'Lead'), opportunity.Subject)).toHaveCount(0);

  const added = await api.create<{ ID: string; Subject: string }>('Activity_SalesOpportunity', {
    Subject: `${search} (second)`,
    EstimatedAmount: 5_000,
    Currency: 'EUR',
    Phase: { ID: board.phase('Lead').ID },
    Pipeline: { ID: board.pipelineId },
  });
  await expect(card(column(page, 'Lead'), added.Subject)).toBeVisible({ timeout: 1000 });

  await api.request('DELETE', `Activity_SalesOpportunity(${added.ID})`);
  await expect(card(page, added.Subject)).toHaveCount(0, { timeout: 1000 });
});

test('a change to the card being dragged waits for the drop, which is then refused (412) and explained', async ({
  page,
  api,
  board,
  createOpportunity,
}) => {
  const opportunity = await createOpportunity('Lead');
  // a second card on the board, changed after the dragged one: once its change shows, the
  // dragged card's change (earlier in the stream) has reached the board too
  const witness = await createOpportunity('Negotiation', { Subject: `${opportunity.Subject} witness` });
  await openLiveBoard(page, board.pipelineId, opportunity.Subject);
  await expect(card(page, witness.Subject)).toBeVisible();
  const source = card(column(page, 'Lead'), opportunity.Subject);
  const target = column(page, 'Qualified');
  const drag = await startDrag(page, source, target);
  await expect(target).toHaveClass(/ring-indigo-400/);

  // someone moves it to Proposal meanwhile: the card stays under the pointer
  await api.patch('Activity_SalesOpportunity', opportunity.ID, {
    EstimatedAmount: 99_000,
    Phase: { ID: board.phase('Proposal').ID },
  });
  await api.patch('Activity_SalesOpportunity', witness.ID, { EstimatedAmount: 77_000 });
  await expect(card(page, witness.Subject)).toContainText('€77,000');
  await expect(card(column(page, board.phase('Proposal').Name), opportunity.Subject)).toHaveCount(0);
  await expect(source).toBeAttached();

  const refused = patchOf(page, opportunity.ID);
  await drag.drop();
  expect((await refused).status()).toBe(412);
  await expect(page.getByRole('alert')).toContainText('Someone else changed');
  const theirs = card(column(page, board.phase('Proposal').Name), opportunity.Subject);
  await expect(theirs).toContainText('€99,000');
  await expect(card(page, opportunity.Subject)).toHaveCount(1);
});
