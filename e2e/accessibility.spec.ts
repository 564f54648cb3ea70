// Every screen scanned by axe-core (WCAG 2.x A and AA rules and axe's best practices): the
// board, the drawer, the forecast, the settings, the sign-in page, tokens, people and welcome,
// for a manager, a rep (locked cards, a read-only drawer) and an admin, and at phone width.
// The boards are narrowed to the demo's "analytics" deals (every kind of card and column, some
// empty): axe takes about 13 s over the whole demo board's 350 cards.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { card, expect, openBoardFor, test } from './support/fixtures';
import { storageStateOf } from './support/people';

async function expectNoViolations(page: Page, screen: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes
        .slice(0, 5)
        .map((n) => n.target.join(' '))
        .join(', ')}`,
  );
  expect(found, `axe violations on ${screen}`).toEqual([]);
}

/** The board on the demo's analytics deals, in every phase. */
const someDeals = (pipelineId: string) => `/?pipeline=${pipelineId}&q=analytics`;

test('the board, as a manager', async ({ page, board }) => {
  await page.goto(someDeals(board.pipelineId));
  await expect(page.getByRole('region', { name: /^Lead/ }).getByRole('article').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoViolations(page, 'the board');

  await page.getByRole('button', { name: 'More filters' }).click();
  await page.getByRole('button', { name: 'My deals' }).click();
  await expect(page).toHaveURL(/mine=1/);
  await expectNoViolations(page, 'the board with every filter shown and My deals on');
});

test('the drawer', async ({ page, board }) => {
  await page.goto(someDeals(board.pipelineId));
  await page.getByRole('region', { name: /^Lead/ }).getByRole('article').first().click();
  await expect(page.getByRole('dialog').getByRole('table', { name: 'Product lines' })).toBeVisible();
  await expectNoViolations(page, 'the drawer');
});

test('the forecast and the settings', async ({ page, board }) => {
  await page.goto(`/forecast?pipeline=${board.pipelineId}`);
  await expect(page.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Stage conversion' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoViolations(page, 'the forecast');

  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expectNoViolations(page, 'the settings');
});

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('the sign-in page, also with a message', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectNoViolations(page, 'the sign-in page');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expectNoViolations(page, 'the sign-in page with a message');
  });
});

test.describe('as a rep', () => {
  test.use({ storageState: storageStateOf('repA') });

  test('the board with locked cards, a read-only drawer, and the tokens', async ({
    page,
    board,
    people,
    createOpportunity,
  }) => {
    const theirs = await createOpportunity('Lead', { SalesRepresentative: { ID: people.repB.employeeId } });
    await openBoardFor(page, board.pipelineId, theirs.Subject);
    await expect(card(page, theirs.Subject)).toContainText("Ravi Rep's deal");
    await expectNoViolations(page, 'the board with a locked card');
    await card(page, theirs.Subject).click();
    await expect(page.getByRole('dialog').getByText("Read only: Ravi Rep's deal.")).toBeVisible();
    await expectNoViolations(page, 'the read-only drawer');

    await page.goto('/tokens');
    await page.getByLabel('Token name').fill('Scanned');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByRole('alert')).toContainText('shown only this once');
    await expectNoViolations(page, 'the tokens, with a new token shown');
    await page.getByRole('button', { name: 'Revoke Scanned' }).click();
    await expect(page.getByRole('dialog', { name: 'Revoke “Scanned”?' })).toBeVisible();
    await expectNoViolations(page, 'the revoke dialog');
  });
});

test.describe('as an admin', () => {
  test.use({ storageState: storageStateOf('admin') });

  test('people, and the welcome page an invitation leads to', async ({ page, browser }) => {
    await page.goto('/people');
    await expect(page.getByRole('list', { name: 'People' }).getByRole('listitem').first()).toBeVisible();
    await expectNoViolations(page, 'people');
    await page.getByLabel('Email', { exact: true }).fill(`wendy.${Date.now().toString(36)}@e2e.example`);
    await page.getByLabel('Name', { exact: true }).fill('Wendy Welcome');
    await page.getByRole('button', { name: 'Invite' }).click();
    const link = await page.getByLabel('Sign-in link for Wendy Welcome', { exact: true }).inputValue();
    await expectNoViolations(page, 'people, with an invitation shown');

    const hers = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const wendy = await hers.newPage();
    await wendy.goto(link);
    await expect(wendy.getByRole('heading', { name: 'Welcome, Wendy Welcome' })).toBeVisible();
    await expectNoViolations(wendy, 'welcome');
    await hers.close();
  });

  test('webhooks, with a new secret shown and a delivery log open', async ({ page }) => {
    await page.goto('/webhooks');
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await page.waitForLoadState('networkidle');
    await expectNoViolations(page, 'webhooks');
    const name = `Scanned receiver ${Date.now().toString(36)}`;
    // nothing listens there: no change of the sets chosen is made while it exists
    await page.getByLabel('Target URL').fill('http://127.0.0.1:9/hooks');
    await page.getByLabel('Description (optional)').fill(name);
    await page.getByLabel('Only the sets chosen').check();
    await page.getByRole('checkbox', { name: 'PriceList', exact: true }).check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect(page.getByLabel('Signing secret')).toBeVisible();
    await page.getByRole('button', { name: `Delivery log of ${name}` }).click();
    await expect(page.getByText('No changes sent yet.')).toBeVisible();
    await expectNoViolations(page, 'webhooks, with a secret shown and a delivery log open');
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    await expect(page.getByRole('dialog', { name: `Delete ${name}?` })).toBeVisible();
    await expectNoViolations(page, 'the delete webhook dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('listitem', { name })).toHaveCount(0);
  });

  test('at phone width, with the menu open', async ({ page, board }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(someDeals(board.pipelineId));
    await expect(page.getByRole('region', { name: /^Lead/ }).getByRole('article').first()).toBeVisible();
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect(page.getByRole('link', { name: 'People' })).toBeVisible();
    await expectNoViolations(page, 'the board at 390 px with the menu open');
  });
});
