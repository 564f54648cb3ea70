// Proxy mode in the browser: a Dealdeck with UPSTREAM_URL whose upstream is a hosted CRM made of
// real parts (our own service behind a real OAuth2 server and a token-checking front, see
// server/upstream/test-upstream.ts), started here beside the run's own server and serving the
// dashboard it built. A person signs in to Dealdeck, drags a card, and the move lands upstream;
// the CRM's token never reaches the page.
import { type Request, test } from '@playwright/test';
import { addPerson } from '../server/people/people';
import { type RunningServer, startServer } from '../server/start-server';
import { startTestUpstream, type TestUpstream } from '../server/upstream/test-upstream';
import { card, column, dragTo, expect } from './support/fixtures';

// signed in to the proxying Dealdeck below, not to the run's own server
test.use({ storageState: { cookies: [], origins: [] } });

let crm: TestUpstream;
let proxy: RunningServer;
const person = { email: 'proxy.person@e2e.example', name: 'Pia Proxy', password: 'e2e proxy password' };

test.beforeAll(async () => {
  crm = await startTestUpstream({ databaseUrl: ':memory:' });
  proxy = await startServer({
    databaseUrl: ':memory:',
    demoData: false,
    staticDir: 'dist',
    upstream: crm.settings(),
  });
  await addPerson(proxy.store, { ...person, role: 'manager' });
});

test.afterAll(async () => {
  await proxy?.close();
  await crm?.close();
});

/** The CRM's service itself, with its own token (not through the front or the proxy). */
async function crmApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${crm.service.serviceRoot}/${path}`, {
    method,
    headers: { Authorization: `Bearer ${crm.apiToken}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

test('a card dragged on the proxied board moves upstream, and the CRM token stays on the server', async ({
  page,
}) => {
  const [pipeline] = (await crmApi<{ value: { ID: string }[] }>('GET', 'Pipeline?$orderby=SortIndex&$top=1'))
    .value;
  const phases = (
    await crmApi<{ value: { ID: string; Code: string }[] }>(
      'GET',
      `Datastore_Phase_ActivitySalesOpportunity?$filter=Pipeline/ID eq ${pipeline.ID}`,
    )
  ).value;
  const phase = (code: string) => phases.find((p) => p.Code === code)!.ID;
  const subject = `Proxied deal ${Date.now().toString(36)}`;
  const deal = await crmApi<{ ID: string }>('POST', 'Activity_SalesOpportunity', {
    Subject: subject,
    EstimatedAmount: 12_000,
    Currency: 'EUR',
    Phase: { ID: phase('Lead') },
    Pipeline: { ID: pipeline.ID },
  });

  const requests: Promise<string>[] = [];
  const responses: Promise<string>[] = [];
  page.on('request', (request: Request) => {
    requests.push(request.allHeaders().then((headers) => `${request.url()} ${JSON.stringify(headers)}`));
  });
  page.on('response', (response) => {
    responses.push(response.allHeaders().then((headers) => JSON.stringify(headers)));
  });

  await page.goto(`${proxy.origin}/sign-in`);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  const signedIn = page.waitForResponse((r) => r.url() === `${proxy.origin}/auth/sign-in`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect((await signedIn).status()).toBe(200);
  await page.goto(`${proxy.origin}/?pipeline=${pipeline.ID}&q=${encodeURIComponent(subject)}`);
  await expect(card(page, subject)).toBeVisible();
  // the CRM has no change stream: the board says it refreshes instead
  await expect(page.getByRole('status').filter({ hasText: 'Updates every 30 s' })).toBeVisible();

  const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(deal.ID));
  await dragTo(page, card(page, subject), column(page, 'Qualified'));
  await expect(card(column(page, 'Qualified'), subject)).toBeVisible();
  const answer = await saved;
  expect(answer.status()).toBe(200);
  expect(answer.url().startsWith(`${proxy.serviceRoot}/`)).toBe(true);
  const stored = await crmApi<{ Phase: { ID: string } }>(
    'GET',
    `Activity_SalesOpportunity(${deal.ID})?$expand=Phase($select=ID)`,
  );
  expect(stored.Phase.ID).toBe(phase('Qualified'));

  // the move went through the front with Dealdeck's token; the page never saw one
  const tokens = [...crm.acceptedTokens];
  expect(tokens.length).toBeGreaterThan(0);
  const storage = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
  const cookies = JSON.stringify(await page.context().cookies());
  const html = await page.content();
  const seen = [storage, cookies, html, ...(await Promise.all(requests)), ...(await Promise.all(responses))];
  expect(requests.length).toBeGreaterThan(5);
  for (const token of tokens) {
    for (const text of seen) expect(text).not.toContain(token);
  }
  // and every request of the page went to Dealdeck's origin, none to the CRM's
  for (const line of await Promise.all(requests)) expect(line.startsWith(proxy.origin)).toBe(true);
});
