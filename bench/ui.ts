// `npm run bench:ui`: the dashboard's speed figures, measured in Chromium against the real
// service with 5,000 open opportunities in one pipeline.
//   initial JS   gzip size of the scripts index.html loads before anything is lazy-loaded
//   first cards  navigation start → first card in the DOM (median of 5 cold loads)
//   drop → move  pointer release → card in its new column (frames at 60 Hz, median of 20 drops)
//   confirm      the PATCH's round trip as the browser saw it (p50 of the same drops)
//   forecast     navigation start → every forecast chart drawn (median of 5 cold loads), with
//                $apply, and without it (the $metadata answered without the annotation, as the
//                hosted CRM's would be: the dashboard then pages through the opportunities)
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { seedOpportunities } from '../e2e/support/seed-data.ts';
import { ServiceApi } from '../e2e/support/service-api.ts';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { startServer } from '../server/start-server.ts';

const openCount = Number(process.env.BENCH_OPEN ?? 5000);
const drops = 20;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

function initialJsGzip(dist: string) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const scripts = [
    ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g),
  ].map((m) => m[1]);
  let bytes = 0;
  for (const src of new Set(scripts))
    bytes += gzipSync(readFileSync(join(dist, src.replace(/^\//, '')))).length;
  return { files: scripts.length, kb: bytes / 1024 };
}

async function firstCardsMs(page: Page, url: string) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.getByRole('article').first().waitFor();
  return page.evaluate<number>('window.firstCardAt');
}

// Browser-side scripts, as strings: this file is type-checked for Node, without the DOM.
const watchFirstCard = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('article')) {
      window.firstCardAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });`;

const forecastCharts = 4;
const watchForecast = `
  new MutationObserver((_, observer) => {
    const drawn = [...document.querySelectorAll('[data-testid="forecast"] section')].filter((s) =>
      s.querySelector('.recharts-bar-rectangle'),
    );
    if (drawn.length >= ${forecastCharts}) {
      window.forecastAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });`;

async function forecastMs(page: Page, url: string) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction('window.forecastAt !== undefined', undefined, { timeout: 60_000 });
  return page.evaluate<number>('window.forecastAt');
}

/**
 * Records the pointer release and the first frame that shows the card in the target column.
 * The release is the event's timeStamp, so time the page was too busy to handle it counts.
 * "In the DOM" is not "on screen": the card is drawn in the next frame the page renders, and
 * work still queued after the commit (effects, query notifications) holds that frame back. So
 * the figure ends when that frame starts rendering (requestAnimationFrame), which still leaves
 * out its own style, layout and paint.
 */
const watchMove = (cardId: string, column: number) => `(() => {
  window.dropAt = undefined;
  window.movedAt = undefined;
  window.addEventListener('pointerup', (event) => (window.dropAt = event.timeStamp), { once: true, capture: true });
  const region = document.querySelectorAll('section[aria-labelledby]')[${column}];
  const observer = new MutationObserver(() => {
    if (region.querySelector('article[data-card-id="${cardId}"]')) {
      observer.disconnect();
      requestAnimationFrame(() => (window.movedAt = performance.now()));
    }
  });
  observer.observe(region, { childList: true, subtree: true });
})()`;

async function main() {
  console.log('Building the dashboard…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
  const js = initialJsGzip('dist');

  const dir = mkdtempSync(join(tmpdir(), 'dealdeck-bench-ui-'));
  const server = await startServer({
    databaseUrl: join(dir, 'bench.db'),
    port: 0,
    demoData: false,
    staticDir: 'dist',
  });
  const browser = await chromium.launch(
    chromiumPath ? { executablePath: chromiumPath, args: chromiumArgs } : {},
  );
  try {
    const api = new ServiceApi(server.serviceRoot);
    console.log(`Creating ${openCount} open opportunities…`);
    const started = Date.now();
    const { pipelineId } = await seedOpportunities(api, openCount, 16);
    console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const url = `${server.origin}/?pipeline=${pipelineId}`;

    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(watchFirstCard);
      loads.push(await firstCardsMs(await context.newPage(), url));
      await context.close();
    }

    const forecastUrl = `${server.origin}/forecast?pipeline=${pipelineId}`;
    const forecasts: Record<'apply' | 'paging', number[]> = { apply: [], paging: [] };
    for (const path of ['apply', 'paging'] as const) {
      for (let i = 0; i < 5; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addInitScript(watchForecast);
        if (path === 'paging') {
          await context.route('**/$metadata', async (route) => {
            const response = await route.fetch();
            const body = (await response.text()).replace(
              /<Annotation Term="Aggregation\.ApplySupported">[\s\S]*?<\/Annotation>/,
              '',
            );
            await route.fulfill({ response, body });
          });
        }
        forecasts[path].push(await forecastMs(await context.newPage(), forecastUrl));
        await context.close();
      }
    }

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    const phases = (await api.phases(pipelineId)).filter((p) => !p.IsWon && !p.IsLost);
    const columns = [phases[0].Name, phases[1].Name].map((name) =>
      page.getByRole('region', { name: new RegExp(`^${name}`) }),
    );
    await columns[0].getByRole('article').first().waitFor();
    await columns[1].getByRole('article').first().waitFor();
    const moveFrames: number[] = [];
    const confirms: number[] = [];
    for (let i = 0; i < drops; i++) {
      const [from, to] = i % 2 === 0 ? columns : [columns[1], columns[0]];
      const card = from.getByRole('article').first();
      const id = await card.getAttribute('data-card-id');
      const a = (await card.boundingBox())!;
      const b = (await to.getByRole('article').first().boundingBox())!;
      const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(id!));
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 5, { steps: 3 });
      await page.mouse.move(b.x + b.width / 2, b.y + 10, { steps: 10 });
      const toIndex = i % 2 === 0 ? 1 : 0;
      // Watch for the card in the target column from the moment of release.
      await page.evaluate(watchMove(id!, toIndex));
      await page.mouse.up();
      const response = await saved;
      await page.waitForFunction('window.movedAt !== undefined');
      const { dropAt, movedAt } = await page.evaluate<{ dropAt: number; movedAt: number }>(
        '({ dropAt: window.dropAt, movedAt: window.movedAt })',
      );
      moveFrames.push(movedAt - dropAt);
      const timing = response.request().timing();
      confirms.push(timing.responseEnd);
      await page.waitForFunction(
        `!document.querySelector('article[data-card-id="${id}"][aria-busy="true"]')`,
      );
    }
    await context.close();

    const frame = 1000 / 60;
    console.log('');
    console.log(
      `Initial JS (gzip):            ${js.kb.toFixed(1)} KB in ${js.files} file(s)   (budget 150 KB)`,
    );
    console.log(
      `First cards visible:          ${median(loads).toFixed(0)} ms median of ${loads.map((l) => l.toFixed(0)).join(', ')}   (budget 1000 ms, ${openCount} open opportunities)`,
    );
    console.log(
      `Drop → card moved:            ${median(moveFrames).toFixed(1)} ms median, max ${Math.max(...moveFrames).toFixed(1)} ms (${(median(moveFrames) / frame).toFixed(2)} frames at 60 Hz)   (budget 1 frame)`,
    );
    console.log(
      `Server confirms the move:     ${median(confirms).toFixed(1)} ms p50, max ${Math.max(...confirms).toFixed(1)} ms   (budget 100 ms)`,
    );
    const ms = (values: number[]) =>
      `${median(values).toFixed(0)} ms median of ${values.map((l) => l.toFixed(0)).join(', ')}`;
    console.log(
      `Forecast drawn, $apply:       ${ms(forecasts.apply)}   (budget 1000 ms, ${openCount} open opportunities)`,
    );
    console.log(
      `Forecast drawn, paging:       ${ms(forecasts.paging)}   (without $apply, as on the hosted API)`,
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
