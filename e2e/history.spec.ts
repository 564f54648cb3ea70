// The deal's history in the drawer, against the real service's change journal: a card moved on
// the board shows as "<from> → <to>" with the mover's name, a save in the drawer appears at once,
// and the drawer with its history passes axe.
import AxeBuilder from '@axe-core/playwright';
import { card, column, dragTo, expect, openBoardFor, patchOf, test } from './support/fixtures';

test('a card moved on the board shows in the drawer’s history with who moved it', async ({
  page,
  board,
  people,
  createOpportunity,
}) => {
  const from = board.phase('Proposal').Name;
  const to = board.phase('Negotiation').Name;
  const opportunity = await createOpportunity('Proposal');
  await openBoardFor(page, board.pipelineId, opportunity.Subject);
  const saved = patchOf(page, opportunity.ID);
  await dragTo(page, card(page, opportunity.Subject), column(page, to));
  expect((await saved).status()).toBe(200);
  await card(column(page, to), opportunity.Subject).click();

  const drawer = page.getByRole('dialog', { name: opportunity.Subject });
  const history = drawer.getByRole('region', { name: 'History', exact: true });
  await expect(history.getByRole('heading', { name: 'History' })).toBeVisible();
  const entries = history.getByRole('listitem');
  await expect(entries.first()).toContainText(`${from} → ${to}`);
  await expect(entries.first()).toContainText(people.manager.name);
  await expect(entries.first().locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
  // the fixture created it with the service's token: the oldest entry
  await expect(entries.last()).toContainText(`Created in ${from}`);

  // a save in the drawer is in the history at once, newest first
  await drawer.getByLabel('Estimated amount').fill('15000');
  await drawer.getByRole('button', { name: 'Save changes' }).click();
  await expect(drawer.getByRole('status')).toHaveText('All changes saved');
  await expect(entries.first()).toContainText('Amount €12,000 → €15,000');
  await expect(entries.nth(1)).toContainText(`${from} → ${to}`);

  await history.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/drawer-history.png' });
  const { violations } = await new AxeBuilder({ page }).include('[role="dialog"]').analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('won and lost read as such, lost with its reason', async ({ page, api, board, createOpportunity }) => {
  const [reason] = await api.list<{ ID: string; Name: string }>(
    'Datastore_LostReason?$select=ID,Name&$top=1',
  );
  const lost = await createOpportunity('Negotiation');
  await api.patch('Activity_SalesOpportunity', lost.ID, {
    Phase: { ID: board.phase('Lost').ID },
    LostReason: { ID: reason.ID },
  });
  const won = await createOpportunity('Negotiation');
  await api.patch('Activity_SalesOpportunity', won.ID, {
    Phase: { ID: board.phase('Won').ID },
  });

  await page.goto(`/?opportunity=${lost.ID}`);
  const lostHistory = page
    .getByRole('dialog', { name: lost.Subject })
    .getByRole('region', { name: 'History', exact: true });
  await expect(lostHistory.getByRole('listitem').first()).toContainText(`Lost: ${reason.Name}`);

  await page.goto(`/?opportunity=${won.ID}`);
  const wonHistory = page
    .getByRole('dialog', { name: won.Subject })
    .getByRole('region', { name: 'History', exact: true });
  await expect(wonHistory.getByRole('listitem').first().locator('p').first()).toHaveText('Won');
});
