import { card, column, expect, openBoardFor, test } from './support/fixtures';

test('quick-add creates the opportunity in that column', async ({ page, api, board }) => {
  const subject = `E2E quick add ${Date.now().toString(36)}`;
  await page.goto(`/?pipeline=${board.pipelineId}&q=${encodeURIComponent(subject)}`);
  const qualified = column(page, 'Qualified');
  await qualified.getByRole('button', { name: 'Add opportunity to Qualified' }).click();
  const form = qualified.getByRole('form', { name: 'Add an opportunity to Qualified' });
  await form.getByLabel('Subject').fill(subject);
  await form.getByLabel('Customer').fill('E2E Quick Customer');
  await form.getByLabel('Amount').fill('4200');
  await form.getByRole('button', { name: 'Add' }).click();
  await expect(card(qualified, subject)).toBeVisible();
  await expect(card(qualified, subject)).toContainText('E2E Quick Customer');
  const [stored] = await api.list<{ EstimatedAmount: number; Phase: { ID: string } }>(
    `Activity_SalesOpportunity?$filter=Subject eq '${subject}'&$expand=Phase($select=ID)`,
  );
  expect(stored).toMatchObject({ EstimatedAmount: 4200, Phase: { ID: board.phase('Qualified').ID } });
});

test('the drawer opens from a card and a link, shows server validation at the field, and saves', async ({
  page,
  api,
  board,
  createOpportunity,
}) => {
  const opportunity = await createOpportunity('Proposal');
  await openBoardFor(page, board.pipelineId, opportunity.Subject);
  await card(page, opportunity.Subject).click();
  const drawer = page.getByRole('dialog', { name: opportunity.Subject });
  await expect(drawer).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`opportunity=${opportunity.ID}`));

  const probability = drawer.getByLabel('Probability (%)');
  await probability.fill('150');
  await drawer.getByRole('button', { name: 'Save changes' }).click();
  await expect(probability).toHaveAttribute('aria-invalid', 'true');
  await expect(drawer.getByText('must be at most 100')).toBeVisible();

  await probability.fill('55');
  await drawer.getByLabel('Subject').fill(`${opportunity.Subject} edited`);
  await drawer.getByRole('button', { name: 'Save changes' }).click();
  await expect(drawer.getByRole('status')).toHaveText('All changes saved');
  await expect.poll(async () => (await api.opportunity(opportunity.ID)).Probability).toBe(55);
  expect((await api.opportunity(opportunity.ID)).Subject).toBe(`${opportunity.Subject} edited`);

  // the URL names the open opportunity: a link opens it
  await page.goto(`/?opportunity=${opportunity.ID}`);
  await expect(page.getByRole('dialog', { name: `${opportunity.Subject} edited` })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page).not.toHaveURL(/opportunity=/);
});

test('delete asks for confirmation and removes the opportunity', async ({
  page,
  api,
  board,
  createOpportunity,
}) => {
  const opportunity = await createOpportunity('Lead');
  await openBoardFor(page, board.pipelineId, opportunity.Subject);
  await card(page, opportunity.Subject).click();
  const drawer = page.getByRole('dialog', { name: opportunity.Subject });
  await drawer.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this opportunity?' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(drawer).toBeHidden();
  await expect(card(page, opportunity.Subject)).toHaveCount(0);
  await expect(api.opportunity(opportunity.ID)).rejects.toThrow(/404/);
});

test('filters come from the URL, show in the bar, and Back undoes a change', async ({
  page,
  board,
  createOpportunity,
}) => {
  const tag = `Filter ${Date.now().toString(36)}`;
  await createOpportunity('Lead', { Subject: `${tag} small`, EstimatedAmount: 1000 });
  await createOpportunity('Lead', { Subject: `${tag} big`, EstimatedAmount: 80_000 });
  await page.goto(`/?pipeline=${board.pipelineId}&q=${encodeURIComponent(tag)}&estimated=5000`);
  await expect(card(page, `${tag} big`)).toBeVisible();
  await expect(card(page, `${tag} small`)).toHaveCount(0);
  await expect(page.getByLabel('Subject contains')).toHaveValue(tag);
  await expect(page.getByLabel('Estimated amount above')).toHaveValue('5000');

  await page.getByLabel('Estimated amount above').fill('');
  await expect(card(page, `${tag} small`)).toBeVisible();
  await expect(page).not.toHaveURL(/estimated=/);
  await page.goBack();
  await expect(page).toHaveURL(/estimated=5000/);
  await expect(card(page, `${tag} small`)).toHaveCount(0);
});

test('the settings ask for a token only for another service: ours knows the person', async ({ page }) => {
  await page.goto('/settings');
  await expect(page.getByText("Dealdeck's own service knows you from your sign-in")).toBeVisible();
  await expect(page.getByLabel('Bearer token')).toHaveCount(0);
  // the connection test goes with the session cookie
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
  const address = page.getByLabel('Service address (OData root)');
  await address.fill('https://api.tribecrm.nl/v1/odata');
  await expect(page.getByLabel('Bearer token')).toBeVisible();
  await address.fill('/v1/odata');
  await expect(page.getByLabel('Bearer token')).toHaveCount(0);
  await page.getByLabel('Mark cards as stale after (days without a change)').fill('21');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/$/);
  const stored = JSON.parse(
    (await page.evaluate<string | null>("localStorage.getItem('dealdeck.settings')")) ?? '{}',
  );
  expect(stored).toEqual({ baseUrl: '/v1/odata', token: '', staleDays: 21 });
});
