// Per-person sign-in at the CRM in the browser (UPSTREAM_SIGN_IN=person): a Dealdeck in proxy
// mode before the test CRM of server/upstream/test-upstream.ts. A person signed in to Dealdeck
// but not connected sees on the board why nothing shows and where to connect; in Settings they
// connect through the CRM's own sign-in and consent pages, and the board then shows the CRM's
// deals, with none of the CRM's tokens in the page.
import { test } from '@playwright/test';
import { addPerson } from '../server/people/people';
import { type RunningServer, startServer } from '../server/start-server';
import { startTestUpstream, type TestUpstream } from '../server/upstream/test-upstream';
import { card, expect } from './support/fixtures';

// signed in to the proxying Dealdeck below, not to the run's own server
test.use({ storageState: { cookies: [], origins: [] } });

let crm: TestUpstream;
let proxy: RunningServer;
const person = {
  email: 'connect.person@e2e.example',
  name: 'Cora Connect',
  password: 'e2e connect password',
};

test.beforeAll(async () => {
  crm = await startTestUpstream({ databaseUrl: ':memory:' });
  proxy = await startServer({
    databaseUrl: ':memory:',
    demoData: false,
    staticDir: 'dist',
    upstream: crm.personSettings(),
  });
  await addPerson(proxy.store, { ...person, role: 'manager' });
});

test.afterAll(async () => {
  await proxy?.close();
  await crm?.close();
});

test('a person connects their own CRM account in Settings, and the board then shows the CRM', async ({
  page,
}) => {
  const crmHost = new URL(crm.root).host;
  const subject = `Connected deal ${Date.now().toString(36)}`;
  const headers = { Authorization: `Bearer ${crm.apiToken}`, 'Content-Type': 'application/json' };
  const [pipeline] = (
    (await (
      await fetch(`${crm.service.serviceRoot}/Pipeline?$orderby=SortIndex&$top=1`, { headers })
    ).json()) as { value: { ID: string }[] }
  ).value;
  const phases = (
    (await (
      await fetch(
        `${crm.service.serviceRoot}/Datastore_Phase_ActivitySalesOpportunity?$filter=Pipeline/ID eq ${pipeline.ID}&$orderby=SortIndex&$top=1`,
        { headers },
      )
    ).json()) as { value: { ID: string }[] }
  ).value;
  const created = await fetch(`${crm.service.serviceRoot}/Activity_SalesOpportunity`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      Subject: subject,
      EstimatedAmount: 5_000,
      Currency: 'EUR',
      Phase: { ID: phases[0].ID },
      Pipeline: { ID: pipeline.ID },
    }),
  });
  expect(created.status).toBe(201);

  await page.goto(`${proxy.origin}/sign-in`);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
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

  await page.goto(`${proxy.origin}/?pipeline=${pipeline.ID}&q=${encodeURIComponent(subject)}`);
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
