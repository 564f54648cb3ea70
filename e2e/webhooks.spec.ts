// Webhooks in the browser: an admin adds one against a receiver the test runs, copies its secret,
// drags a deal on the board, and the move arrives at the receiver signed; the page then shows it
// delivered in the log.

import { verifySignature } from '../server/webhooks/signature';
import { TestReceiver } from '../server/webhooks/test-receiver';
import { card, column, dragTo, expect, openBoardFor, test } from './support/fixtures';
import { storageStateOf } from './support/people';

test.use({ storageState: storageStateOf('admin') });

test('an admin adds a webhook, and a dragged deal arrives signed', async ({
  page,
  board,
  createOpportunity,
}) => {
  const receiver = await TestReceiver.start();
  const name = `E2E receiver ${Date.now().toString(36)}`;
  try {
    await page.goto('/');
    await page.getByRole('banner').getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await page.getByLabel('Target URL').fill(receiver.url);
    await page.getByLabel('Description (optional)').fill(name);
    await page.getByLabel('Only the sets chosen').check();
    await page.getByRole('checkbox', { name: 'Activity_SalesOpportunity', exact: true }).check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expect(page.getByRole('listitem', { name })).toContainText('Nothing sent yet');

    const deal = await createOpportunity('Lead');
    await openBoardFor(page, board.pipelineId, deal.Subject);
    await dragTo(page, card(page, deal.Subject), column(page, 'Qualified'));
    await expect(card(column(page, 'Qualified'), deal.Subject)).toBeVisible();

    const isMove = (r: TestReceiver['received'][number]) =>
      r.json.id === deal.ID && r.json.kind === 'updated';
    await receiver.until((all) => all.some(isMove));
    const move = receiver.received.find(isMove)!;
    expect(move.json.changes.Phase).toEqual([board.phase('Lead').ID, board.phase('Qualified').ID]);
    const signed = {
      signature: move.headers['dealdeck-signature'] as string,
      timestamp: move.headers['dealdeck-timestamp'] as string,
    };
    expect(verifySignature(secret, signed, move.body)).toBe(true);

    await page.goto('/webhooks');
    const row = page.getByRole('listitem', { name });
    await expect(row).toContainText('Last delivery: Delivered');
    await row.getByRole('button', { name: `Delivery log of ${name}` }).click();
    await expect(row.getByRole('table')).toContainText(`#${move.json.sequence} updated`);
    await row.getByRole('button', { name: `Delete ${name}` }).click();
    await page
      .getByRole('dialog', { name: `Delete ${name}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(page.getByRole('listitem', { name })).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});
