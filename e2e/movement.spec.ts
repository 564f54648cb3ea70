// Forecast movement on /forecast against the real service's journal: a deal created through the
// API shows in the waterfall's "New" step, its row lists it, and the deal opens on the board.
import { expect, test } from './support/fixtures';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

test('a new deal shows in the movement waterfall and opens on the board', async ({
  page,
  board,
  createOpportunity,
}) => {
  const deal = await createOpportunity('Proposal', { ExpectedOrderDate: inDays(30), Probability: 40 });
  await page.goto(`/forecast?pipeline=${board.pipelineId}&currency=EUR`);
  const movement = page.getByRole('region', { name: /^Movement: what changed since/ });
  await movement.getByLabel('Expected order date').selectOption({ label: 'Next 12 months' });
  await expect(movement.locator('.recharts-bar-rectangle').first()).toBeVisible();

  const steps = movement.getByRole('table', { name: 'Movement of the weighted pipeline' });
  await expect(steps.getByRole('row', { name: /^Then / })).toBeVisible();
  await steps.getByRole('button', { name: 'New', exact: true }).click();
  const deals = movement.getByRole('table', { name: /^New: \d+ deals?$/ });
  const row = deals.getByRole('row', { name: new RegExp(deal.Subject) });
  // 40% of 12,000, counted now and not then
  await expect(row).toContainText('€4,800');
  await expect(row.getByRole('cell').nth(1)).toHaveText('–');

  await expect(
    page.getByRole('region', { name: 'Stage conversion' }).getByRole('row', { name: /^Proposal sent/ }),
  ).toBeVisible();
  await expect(page.getByRole('region', { name: 'Stale deals per rep' })).toBeVisible();

  await row.getByRole('link', { name: deal.Subject }).click();
  await expect(page).toHaveURL(new RegExp(`opportunity=${deal.ID}`));
  await expect(page.getByRole('dialog', { name: deal.Subject })).toBeVisible();
});
