// A Dealdeck in proxy mode for a spec, beside the run's own server: its upstream is the test CRM
// of server/upstream/test-upstream.ts (our own service behind a real OAuth2 server and a
// token-checking front), it serves the dashboard the run built, and one person may sign in to it.
import { expect, type Page, test } from '@playwright/test';
import { addPerson } from '../../server/people/people';
import { type RunningServer, startServer } from '../../server/start-server';
import { startTestUpstream, type TestUpstream } from '../../server/upstream/test-upstream';

export interface ProxyPerson {
  email: string;
  name: string;
  password: string;
}

/** `client`: one client-credentials token for everyone; `person`: each person connects their own. */
export function proxyingDealdeck(signIn: 'client' | 'person', person: ProxyPerson) {
  let crm: TestUpstream;
  let proxy: RunningServer;
  test.beforeAll(async () => {
    crm = await startTestUpstream({ databaseUrl: ':memory:' });
    proxy = await startServer({
      databaseUrl: ':memory:',
      demoData: false,
      staticDir: 'dist',
      upstream: signIn === 'person' ? crm.personSettings() : crm.settings(),
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

  return {
    get crm() {
      return crm;
    },
    get proxy() {
      return proxy;
    },
    crmApi,
    /** A new deal at the CRM in its first pipeline's phase with this code. */
    async crmDeal(subject: string, phaseCode: string, amount = 12_000) {
      const [pipeline] = (
        await crmApi<{ value: { ID: string }[] }>('GET', 'Pipeline?$orderby=SortIndex&$top=1')
      ).value;
      const phases = (
        await crmApi<{ value: { ID: string; Code: string }[] }>(
          'GET',
          `Datastore_Phase_ActivitySalesOpportunity?$filter=Pipeline/ID eq ${pipeline.ID}`,
        )
      ).value;
      const phase = (code: string) => phases.find((p) => p.Code === code)!.ID;
      const deal = await crmApi<{ ID: string }>('POST', 'Activity_SalesOpportunity', {
        Subject: subject,
        EstimatedAmount: amount,
        Currency: 'EUR',
        Phase: { ID: phase(phaseCode) },
        Pipeline: { ID: pipeline.ID },
      });
      return { deal, pipelineId: pipeline.ID, phase };
    },
    /** Signs the person in to the proxying Dealdeck. */
    async signIn(page: Page) {
      await page.goto(`${proxy.origin}/sign-in`);
      await page.getByLabel('Email').fill(person.email);
      await page.getByLabel('Password').fill(person.password);
      const signedIn = page.waitForResponse((r) => r.url() === `${proxy.origin}/auth/sign-in`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect((await signedIn).status()).toBe(200);
    },
  };
}
