// Which targets a webhook may go to: non-public addresses refused (unless allowed), by name
// after resolving it, and again when an attempt connects (a name may resolve elsewhere by then).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ODataError } from '../query/errors.ts';
import { sendWebhook } from './send-webhook.ts';
import { assertPublicTarget, isRefusedAddress } from './target-address.ts';
import { TestReceiver } from './test-receiver.ts';
import { parseAllowPrivate } from './webhook-settings.ts';

describe('target addresses', () => {
  it('refuses loopback, private, link-local, unique-local and other non-public addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc00::1',
      'ff02::1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
    ])
      expect(isRefusedAddress(address, false), address).toBe(true);
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::1111',
      '2001:4860:4860::8888',
    ])
      expect(isRefusedAddress(address, false), address).toBe(false);
  });

  it('allows every non-public address, or those in the ranges given', () => {
    expect(isRefusedAddress('10.0.0.1', true)).toBe(false);
    const some = parseAllowPrivate('10.1.0.0/16,::1');
    expect(isRefusedAddress('10.1.2.3', some)).toBe(false);
    expect(isRefusedAddress('::1', some)).toBe(false);
    expect(isRefusedAddress('10.2.0.1', some)).toBe(true);
    expect(isRefusedAddress('127.0.0.1', some)).toBe(true);
  });

  it('resolves a name before judging it', async () => {
    const refusal = await assertPublicTarget(new URL('http://localhost:8080/hooks'), false).catch((e) => e);
    expect(refusal).toBeInstanceOf(ODataError);
    expect(refusal).toMatchObject({ status: 400, code: 'PrivateTarget', target: 'url' });
    expect(refusal.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback, private/);
    await expect(assertPublicTarget(new URL('http://localhost:8080/hooks'), true)).resolves.toBeUndefined();
  });

  it('checks the address again when an attempt connects: a name that resolves to a private address is refused then', async () => {
    const receiver = await TestReceiver.start();
    try {
      const byName = receiver.url.replace('127.0.0.1', 'localhost');
      const request = { url: byName, secret: 'whsec_test', deliveryId: 'd-1', body: '{"sequence":1}' };
      const settings = { timeoutMs: 2000, now: () => Date.now() };
      const refused = await sendWebhook(request, { ...settings, allowPrivate: false });
      expect(refused.ok).toBe(false);
      expect(refused.error).toMatch(/^localhost resolves to .*WEBHOOKS_ALLOW_PRIVATE allows it$/);
      const literal = await sendWebhook(
        { ...request, url: receiver.url },
        { ...settings, allowPrivate: false },
      );
      expect(literal.error).toContain('127.0.0.1 is a loopback, private');
      expect(receiver.received).toHaveLength(0);

      const allowed = await sendWebhook(
        { ...request, url: receiver.url },
        { ...settings, allowPrivate: parseAllowPrivate('127.0.0.1') },
      );
      expect(allowed).toEqual({ ok: true, status: 200 });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('takes the status as the answer, also when the receiver keeps its body open', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(202, { 'Content-Type': 'text/plain' });
      res.write('accepted, and more to come');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      const outcome = await sendWebhook(
        { url, secret: 'whsec_test', deliveryId: 'd-1', body: '{}' },
        // a time-out far longer than a test: the outcome comes with the status
        { timeoutMs: 600_000, now: () => Date.now(), allowPrivate: true },
      );
      expect(outcome).toEqual({ ok: true, status: 202 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
