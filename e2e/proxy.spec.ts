// Proxy mode in the browser: a Dealdeck with UPSTREAM_URL whose upstream is a hosted CRM made of
// real parts (our own service behind a real OAuth2 server and a token-checking front, see
// server/upstream/test-upstream.ts), started here beside the run's own server and serving the
// dashboard it built. A person signs in to Dealdeck, drags a card, and the move lands upstream;
// the CRM's token never reaches the page.
import { type Request, test } from '@playwright/test';
import { card, column, dragTo, expect, patchOf } from './support/fixtures';
import { proxyingDealdeck } from './support/proxying-dealdeck';

// signed in to the proxying Dealdeck below, not to the run's own server
test.use({ storageState: { cookies: [], origins: [] } });

const dealdeck = proxyingDealdeck('client', {
  email: 'proxy.person@e2e.example',
  name: 'Pia Proxy',
  password: 'e2e proxy password',
});

test('a card dragged on the proxied board moves upstream, and the CRM token stays on the server', async ({
  page,
}) => {
  const { crm, proxy, crmApi } = dealdeck;
  const subject = `Proxied deal ${Date.now().toString(36)}`;
  const { deal, pipelineId, phase } = await dealdeck.crmDeal(subject, 'Lead');

  const requests: Promise<string>[] = [];
  const responses: Promise<string>[] = [];
  page.on('request', (request: Request) => {
    requests.push(request.allHeaders().then((headers) => `${request.url()} ${JSON.stringify(headers)}`));
  });
  page.on('response', (response) => {
    responses.push(response.allHeaders().then((headers) => JSON.stringify(headers)));
  });

  await dealdeck.signIn(page);
  await page.goto(`${proxy.origin}/?pipeline=${pipelineId}&q=${encodeURIComponent(subject)}`);
  await expect(card(page, subject)).toBeVisible();
  // the CRM has no change stream: the board says it refreshes instead
  await expect(page.getByRole('status').filter({ hasText: 'Updates every 30 s' })).toBeVisible();

  const saved = patchOf(page, deal.ID);
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
