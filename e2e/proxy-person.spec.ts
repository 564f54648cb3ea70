// Per-person sign-in at the CRM in the browser (UPSTREAM_SIGN_IN=person): a Dealdeck in proxy
// mode before the test CRM of server/upstream/test-upstream.ts. A person signed in to Dealdeck
// but not connected sees on the board why nothing shows and where to connect; in Settings they
// connect through the CRM's own sign-in and consent pages, and the board then shows the CRM's
// deals, with none of the CRM's tokens in the page.
import { test } from '@playwright/test';
import { card, expect } from './support/fixtures';
import { proxyingDealdeck } from './support/proxying-dealdeck';

// signed in to the proxying Dealdeck below, not to the run's own server
test.use({ storageState: { cookies: [], origins: [] } });

const person = {
  email: 'connect.person@e2e.example',
  name: 'Cora Connect',
  password: 'e2e connect password',
};
const dealdeck = proxyingDealdeck('person', person);

test('a person connects their own CRM account in Settings, and the board then shows the CRM', async ({
  page,
}) => {
  const { crm, proxy } = dealdeck;
  const crmHost = new URL(crm.root).host;
  const subject = `Connected deal ${Date.now().toString(36)}`;
  const { pipelineId } = await dealdeck.crmDeal(subject, 'Lead', 5_000);

  await dealdeck.signIn(page);
  // not connected yet: the board says why, in the server's words
  await expect(
    page.getByText(`You have not connected your ${crmHost} account to Dealdeck yet`),
  ).toBeVisible();

  await page.goto(`${proxy.origin}/settings`);
  await page.getByRole('link', { name: `Connect to ${crmHost}` }).click();
  // the CRM's own pages (oidc-provider's): sign in as "cora", then agree
  await page.locator('input[name="login"]').fill('cora');
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(`${proxy.origin}/settings?upstream=connected`);
  await expect(page.getByText(/Your requests reach/)).toContainText(`Your requests reach ${crmHost} as you`);

  await page.goto(`${proxy.origin}/?pipeline=${pipelineId}&q=${encodeURIComponent(subject)}`);
  await expect(card(page, subject)).toBeVisible();
  const forwarded = crm.requests.filter((r) => r.subject === 'cora');
  expect(forwarded.length).toBeGreaterThan(0);

  const tokens = forwarded.map((r) => r.headers.authorization!.replace(/^Bearer /, ''));
  const storage = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
  const cookies = JSON.stringify(await page.context().cookies());
  const html = await page.content();
  for (const token of tokens) {
    for (const text of [storage, cookies, html]) expect(text).not.toContain(token);
  }
});
