// People and their rights in the browser: signing in and out, another rep's locked card, "My
// deals", personal tokens, the header on a phone, and an admin inviting someone.
import type { Page } from '@playwright/test';
import { card, column, dragTo, expect, openBoardFor, patchOf, startDrag, test } from './support/fixtures';
import { e2ePeople, type PersonKey, passwordOf, storageStateOf } from './support/people';

const signedOut = { cookies: [], origins: [] };

async function signIn(page: Page, key: PersonKey) {
  await page.getByLabel('Email').fill(e2ePeople[key].email);
  await page.getByLabel('Password').fill(passwordOf(key));
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.describe('signing in and out', () => {
  test.use({ storageState: signedOut });

  test('sign in with email and password and see your name', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.getByLabel('Email').fill(e2ePeople.repA.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('The email or password is not right');
    await signIn(page, 'repA');
    const header = page.getByRole('banner');
    await expect(header.getByText('Rita Rep')).toBeVisible();
    await expect(header.getByText('Sales rep')).toBeVisible();
    await expect(column(page, 'Lead').getByRole('article').first()).toBeVisible();
    // a rep manages no people
    await expect(header.getByRole('link', { name: 'People' })).toHaveCount(0);
  });

  test('sign out ends the session on the service', async ({ page, context, baseURL }) => {
    await page.goto('/sign-in');
    await signIn(page, 'repB');
    await expect(page).toHaveURL(/\/$/);
    const header = page.getByRole('banner');
    await expect(header.getByText('Ravi Rep')).toBeVisible();
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    await header.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    // not only forgotten by this browser: the old cookie is refused
    const replayed = await fetch(`${baseURL}/v1/odata/Pipeline`, { headers: { Cookie: cookie } });
    expect(replayed.status).toBe(401);
  });
});

test.describe('as a rep', () => {
  test.use({ storageState: storageStateOf('repA') });

  test("another rep's card is locked: it says whose, cannot be moved, and opens read-only", async ({
    page,
    api,
    board,
    people,
    createOpportunity,
  }) => {
    const theirs = await createOpportunity('Lead', { SalesRepresentative: { ID: people.repB.employeeId } });
    await openBoardFor(page, board.pipelineId, theirs.Subject);
    const writes: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') writes.push(`${r.method()} ${r.url()}`);
    });
    const locked = card(page, theirs.Subject);
    await expect(locked).toContainText("Ravi Rep's deal");
    await expect(locked).toHaveAccessibleDescription(
      "Ravi Rep's deal (locked: only Ravi Rep or a manager can move or change it). Press Enter to open it.",
    );

    // a pointer drag picks nothing up
    const drag = await startDrag(page, locked, column(page, 'Qualified'));
    await expect(column(page, 'Qualified')).not.toHaveClass(/ring-indigo-400/);
    await drag.drop();
    // nor does the keyboard; it says why
    await locked.focus();
    await page.keyboard.press('Space');
    await expect(
      page.getByRole('status').filter({ hasText: "Ravi Rep's deal: only Ravi Rep" }),
    ).toBeVisible();
    await expect(card(column(page, 'Lead'), theirs.Subject)).toBeVisible();
    expect(writes).toEqual([]);
    expect((await api.opportunity(theirs.ID)).Phase?.ID).toBe(board.phase('Lead').ID);

    await locked.click();
    const drawer = page.getByRole('dialog', { name: theirs.Subject });
    await expect(drawer.getByText("Read only: Ravi Rep's deal.")).toBeVisible();
    await expect(drawer.getByLabel('Subject')).toBeDisabled();
    await expect(drawer.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
    await expect(drawer.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  });

  test('their own deal moves, and quick-add makes a new deal theirs', async ({
    page,
    api,
    board,
    people,
    createOpportunity,
  }) => {
    const mine = await createOpportunity('Lead', { SalesRepresentative: { ID: people.repA.employeeId } });
    await openBoardFor(page, board.pipelineId, mine.Subject);
    await expect(card(page, mine.Subject)).not.toContainText("'s deal");
    const saved = patchOf(page, mine.ID);
    await dragTo(page, card(page, mine.Subject), column(page, 'Qualified'));
    expect((await saved).status()).toBe(200);
    await expect(card(column(page, 'Qualified'), mine.Subject)).toBeVisible();

    const lead = column(page, 'Lead');
    await lead.getByRole('button', { name: 'Add opportunity to Lead' }).click();
    const form = lead.getByRole('form', { name: 'Add an opportunity to Lead' });
    await expect(form.getByLabel('Sales rep')).toHaveValue(people.repA.employeeId);
    await expect(form.getByLabel('Sales rep').locator('option')).toHaveText(['Me (Rita Rep)', 'Unassigned']);
    await form.getByLabel('Subject').fill(`${mine.Subject} follow-up`);
    await form.getByRole('button', { name: 'Add' }).click();
    await expect(card(lead, `${mine.Subject} follow-up`)).toBeVisible();
    const [added] = await api.list<{ SalesRepresentative: { ID: string } | null }>(
      `Activity_SalesOpportunity?$filter=Subject eq '${mine.Subject} follow-up'&$expand=SalesRepresentative($select=ID)`,
    );
    expect(added.SalesRepresentative?.ID).toBe(people.repA.employeeId);
  });

  test('"My deals" shows only their deals, on the board and the forecast', async ({
    page,
    board,
    people,
    createOpportunity,
  }) => {
    const tag = `Mine ${Date.now().toString(36)}`;
    const mine = await createOpportunity('Lead', {
      Subject: `${tag} mine`,
      SalesRepresentative: { ID: people.repA.employeeId },
    });
    const theirs = await createOpportunity('Lead', {
      Subject: `${tag} theirs`,
      SalesRepresentative: { ID: people.repB.employeeId },
    });
    await openBoardFor(page, board.pipelineId, tag, mine.Subject);
    await expect(card(page, theirs.Subject)).toBeVisible();
    const myDeals = page.getByRole('button', { name: 'My deals' });
    await expect(myDeals).toHaveAttribute('aria-pressed', 'false');
    await myDeals.click();
    await expect(page).toHaveURL(/[?&]mine=1/);
    await expect(myDeals).toHaveAttribute('aria-pressed', 'true');
    await expect(card(page, theirs.Subject)).toHaveCount(0);
    await expect(card(page, mine.Subject)).toBeVisible();

    await page.getByRole('banner').getByRole('link', { name: 'Forecast' }).click();
    await expect(page).toHaveURL(/\/forecast\?.*mine=1/);
    await expect(page.getByRole('button', { name: 'My deals' })).toHaveAttribute('aria-pressed', 'true');
    const who = page.getByRole('region', { name: /^Who/ });
    await who.getByText('Show the numbers').click();
    await expect(who.getByRole('table')).toContainText('Rita Rep');
    await expect(who.getByRole('table')).not.toContainText('Ravi Rep');
  });

  test('a personal token is shown once, works, and stops working when revoked', async ({
    page,
    context,
    baseURL,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/tokens');
    await page.getByLabel('Token name').fill('E2E script');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByRole('alert')).toContainText('it is shown only this once');
    const token = await page.getByLabel('Token “E2E script”').inputValue();
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(token);
    await page.screenshot({ path: 'test-results/screenshots/new-token.png' });

    const asScript = () =>
      fetch(`${baseURL}/v1/odata/Pipeline`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await asScript()).status).toBe(200);

    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByLabel('Token “E2E script”')).toHaveCount(0);
    const listed = page
      .getByRole('list', { name: 'Your tokens' })
      .getByRole('listitem')
      .filter({ hasText: 'E2E script' });
    await expect(listed).not.toContainText(token);
    await listed.getByRole('button', { name: 'Revoke E2E script' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “E2E script”?' });
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(listed).toHaveCount(0);
    expect((await asScript()).status).toBe(401);
  });
});

test.describe('as an admin', () => {
  test.use({ storageState: storageStateOf('admin') });

  test('at phone width (390 px) every link of the header is reachable', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    const header = page.getByRole('banner');
    await expect(header.getByRole('combobox', { name: 'Pipeline' })).toBeVisible();
    // nothing sticks out past the screen's edge
    expect(await header.evaluate((h) => h.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'test-results/screenshots/header-390.png' });
    const menu = header.getByRole('button', { name: 'Menu' });
    await expect(menu).toBeInViewport({ ratio: 1 });
    // the pipeline picker gives way to the menu button rather than running under it
    const picker = (await header.getByRole('combobox', { name: 'Pipeline' }).boundingBox())!;
    expect(picker.x + picker.width).toBeLessThanOrEqual((await menu.boundingBox())!.x);
    await menu.click();
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    for (const name of ['Board', 'Forecast', 'Tokens', 'People', 'Settings'])
      await expect(header.getByRole('link', { name, exact: true })).toBeInViewport({ ratio: 1 });
    await expect(header.getByText('Ada Admin')).toBeInViewport({ ratio: 1 });
    await expect(header.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
    await page.screenshot({ path: 'test-results/screenshots/header-390-menu.png' });
    await header.getByRole('link', { name: 'Forecast' }).click();
    await expect(page).toHaveURL(/\/forecast/);
    // the menu closes once it took you somewhere
    await expect(header.getByRole('link', { name: 'Tokens' })).toBeHidden();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
  });

  test('an admin invites someone, who opens the link and chooses a password', async ({ page, browser }) => {
    await page.goto('/people');
    const email = `nina.${Date.now().toString(36)}@e2e.example`;
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Name', { exact: true }).fill('Nina New');
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Sales rep' });
    await page.getByRole('button', { name: 'Invite' }).click();
    const link = await page.getByLabel('Sign-in link for Nina New', { exact: true }).inputValue();
    expect(link).toMatch(/\/auth\/link\/\S+$/);
    const people = page.getByRole('list', { name: 'People' });
    await expect(people.getByRole('listitem', { name: 'Nina New' })).toContainText('never signed in');

    // Nina, in her own browser
    const hers = await browser.newContext({ storageState: signedOut });
    const nina = await hers.newPage();
    await nina.goto(link);
    await expect(nina).toHaveURL(/\/welcome$/);
    await expect(nina.getByRole('heading', { name: 'Welcome, Nina New' })).toBeVisible();
    await nina.getByLabel('New password', { exact: true }).fill('nina password 1');
    await nina.getByLabel('New password again').fill('nina password 1');
    await nina.getByRole('button', { name: 'Save password' }).click();
    await expect(nina).toHaveURL(/\/$/);
    await expect(nina.getByRole('banner').getByText('Nina New')).toBeVisible();
    await hers.close();

    // the link worked once
    const later = await browser.newContext({ storageState: signedOut });
    const again = await later.newPage();
    await again.goto(link);
    await expect(again).toHaveURL(/\/sign-in\?error=/);
    await expect(again.getByRole('alert')).toContainText('This sign-in link is not valid any more');
    await later.close();

    // a role, then deactivation
    await page.reload();
    const row = people.getByRole('listitem', { name: 'Nina New' });
    await row.getByLabel('Role of Nina New').selectOption({ label: 'Manager' });
    await expect(page.getByRole('status').filter({ hasText: 'Nina New is now manager.' })).toBeVisible();
    await row.getByRole('button', { name: 'Deactivate Nina New' }).click();
    await page
      .getByRole('dialog', { name: 'Deactivate Nina New?' })
      .getByRole('button', { name: 'Deactivate' })
      .click();
    await expect(row).toContainText('Deactivated');
    await expect(row.getByRole('button', { name: 'Reactivate Nina New' })).toBeVisible();
  });
});
