import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { card, column, expect, test } from './support/fixtures';

const chart = (page: Page, title: RegExp) => page.getByRole('region', { name: title });

/** The rows of a chart's table as text cells (the table is behind "Show the numbers"). */
async function tableRows(section: Locator) {
  const details = section.locator('details');
  if ((await details.getAttribute('open')) === null) await section.getByText('Show the numbers').click();
  const rows = section.getByRole('table').getByRole('row');
  await expect(rows.first()).toBeVisible();
  return rows.evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())),
  );
}

test('the forecast shows the demo pipeline per month, phase, rep and pipeline', async ({ page, board }) => {
  await page.goto(`/forecast?pipeline=${board.pipelineId}`);
  await expect(page.getByRole('heading', { name: /^Forecast: / })).toBeVisible();
  for (const title of [/^When/, /^What/, /^Who/, /^All pipelines/])
    await expect(chart(page, title).locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByText('Summed by the service ($apply)')).toBeVisible();
  // The page scrolls inside the shell: a tall window shows every chart in one picture.
  await page.setViewportSize({ width: 1440, height: 2000 });
  await page.screenshot({ path: 'test-results/screenshots/forecast.png' });
});

test('a filter narrows the forecast, shared with the board through the URL', async ({ page, board }) => {
  await page.goto(`/forecast?pipeline=${board.pipelineId}`);
  const reps = chart(page, /^Who/);
  await expect(reps.locator('.recharts-bar-rectangle').first()).toBeVisible();
  const before = await tableRows(reps);
  const everyone = before.slice(1, -1);
  expect(everyone.length).toBeGreaterThan(1);
  const [name, deals] = everyone[1];

  await page.getByLabel('Sales rep', { exact: true }).selectOption({ label: name });
  await expect(page).toHaveURL(/[?&]rep=/);
  await expect(reps.getByRole('table').getByRole('row')).toHaveCount(3);
  const after = await tableRows(reps);
  expect(after[1].slice(0, 2)).toEqual([name, deals]);
  // the headline follows: only this rep's open deals
  await expect(
    page
      .getByRole('definition')
      .filter({ hasText: /deals$/ })
      .first(),
  ).toContainText(`${deals} deals`);

  // the board, one click away, keeps the filter
  await page.getByRole('link', { name: 'Board', exact: true }).click();
  await expect(page).toHaveURL(/^[^?]*\/\?.*rep=/);
  await expect(page.getByLabel('Sales rep', { exact: true })).toHaveValue(/[0-9a-f-]{36}/);
});

test('a click on a phase bar opens the board on exactly those deals', async ({ page, board }) => {
  await page.goto(`/forecast?pipeline=${board.pipelineId}&currency=EUR`);
  const phases = chart(page, /^What/);
  await expect(phases.locator('.recharts-bar-rectangle').first()).toBeVisible();
  const rows = await tableRows(phases);
  const qualified = rows.find((r) => r[0] === 'Qualified')!;
  expect(Number(qualified[1])).toBeGreaterThan(0);

  await phases.locator('[data-bar="Qualified: weighted"]').click();
  await expect(page).toHaveURL(new RegExp(`phase=${board.phase('Qualified').ID}`));
  await expect(page).toHaveURL(/status=open/);
  await expect(page).toHaveURL(/currency=EUR/);
  const target = column(page, 'Qualified');
  await expect(target).toContainText(`${qualified[1]} opportunities`);
  // the column's sums are the bar's numbers: same deals
  await expect(target.getByTestId('column-sums')).toContainText(qualified[2]);
  await expect(target.getByTestId('column-sums')).toContainText(`weighted ${qualified[3]}`);
  await expect(target.getByRole('article').first()).toBeVisible();
  await expect(column(page, 'Lead').getByRole('article')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/forecast-to-board.png' });
});

test('a click on a month bar opens the board on the deals expected that month', async ({
  page,
  board,
  createOpportunity,
}) => {
  const date = new Date();
  date.setMonth(date.getMonth() + 2, 15);
  const day = date.toISOString().slice(0, 10);
  const mine = await createOpportunity('Lead', { ExpectedOrderDate: day, EstimatedAmount: 777 });
  await page.goto(`/forecast?pipeline=${board.pipelineId}&q=${encodeURIComponent(mine.Subject)}`);
  const months = chart(page, /^When/);
  const label = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${day.slice(0, 7)}-01T00:00:00Z`),
  );
  await months.locator(`[data-bar="${label}: estimated"]`).click();
  await expect(page).toHaveURL(new RegExp(`from=${day.slice(0, 7)}-01`));
  await expect(card(page, mine.Subject)).toBeVisible();
});

test('each CSV download holds the numbers of its table', async ({ page, board }) => {
  await page.goto(`/forecast?pipeline=${board.pipelineId}`);
  for (const title of [/^When/, /^What/, /^Who/, /^All pipelines/]) {
    const section = chart(page, title);
    const table = await tableRows(section);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^forecast-\w+\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const lines = csv.split('\r\n').map((line) => line.split(','));
    expect(lines).toHaveLength(table.length);
    expect(lines[0]).toEqual(table[0]);
    for (let i = 1; i < lines.length; i++) {
      const [label, deals, estimated, weighted] = lines[i];
      expect([label, deals]).toEqual(table[i].slice(0, 2));
      // the table shows whole currency units: the CSV's amounts rounded
      const whole = (text: string) => Number(text.replace(/[^\d]/g, ''));
      expect(whole(table[i][2])).toBe(Math.round(Number(estimated)));
      expect(whole(table[i][3])).toBe(Math.round(Number(weighted)));
    }
  }
});
