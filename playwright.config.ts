// End-to-end tests in Chromium against the real service: one server for the whole run, built
// and started on a free port with a fresh temporary SQLite database and demo data. A setup
// project adds the e2e people (e2e/auth.setup.ts) and signs them in; the tests run signed in
// as the manager unless they say otherwise.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { storageStateOf } from './e2e/support/people';

// The config is evaluated again in each worker: the first evaluation picks the port and the
// database, and the workers inherit them through the environment.
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = String(await freePort());
  process.env.E2E_DATABASE_URL = join(mkdtempSync(join(tmpdir(), 'dealdeck-e2e-')), 'e2e.db');
  // the service's own token (API_TOKEN), new each run: the fixtures arrange data with it
  process.env.E2E_API_TOKEN = randomBytes(24).toString('base64url');
}
const port = process.env.E2E_PORT;
const baseURL = `http://127.0.0.1:${port}`;

/** Debian's Chromium where Playwright cannot download its own browser; CHROMIUM_PATH overrides. */
export const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p) => p && existsSync(p));
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 900 },
  },
  projects: [
    {
      name: 'setup',
      testMatch: '**/*.setup.ts',
      use: { launchOptions: chromiumPath ? { executablePath: chromiumPath, args: chromiumArgs } : {} },
    },
    {
      name: 'chromium',
      dependencies: ['setup'],
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 900 },
        launchOptions: chromiumPath ? { executablePath: chromiumPath, args: chromiumArgs } : {},
        storageState: storageStateOf('manager'),
      },
    },
  ],
  webServer: {
    command: 'npx vite build --logLevel warn && node_modules/.bin/tsx server/main.ts',
    // public: the API itself now needs a person or the token
    url: `${baseURL}/auth/options`,
    env: {
      PORT: port!,
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.E2E_DATABASE_URL!,
      DEMO_DATA: '1',
      API_TOKEN: process.env.E2E_API_TOKEN!,
      // the webhook e2e test's receiver listens on 127.0.0.1
      WEBHOOKS_ALLOW_PRIVATE: '127.0.0.1',
    },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
