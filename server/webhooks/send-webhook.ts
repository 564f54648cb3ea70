// One attempt: POSTs a delivery's body, signed, to its target, within the time-out, connecting
// only to a public address (or one WEBHOOKS_ALLOW_PRIVATE allows) as resolved right now.
// Redirects are not followed (a 3xx is a failed attempt): a redirect could lead anywhere.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { AttemptOutcome } from './delivery-queue.ts';
import { deliveryHeader, signatureHeader, signBody, timestampHeader } from './signature.ts';
import { guardedLookup, hostOf, isRefusedAddress, privateTargetMessage } from './target-address.ts';
import type { WebhookSettings } from './webhook-settings.ts';

export interface WebhookRequest {
  url: string;
  secret: string;
  deliveryId: string;
  body: string;
}

/** How much of a receiver's answer body is read (and dropped) before the connection is cut. */
const maxAnswerBytes = 64 * 1024;

export function sendWebhook(
  request: WebhookRequest,
  settings: Pick<WebhookSettings, 'allowPrivate' | 'timeoutMs' | 'now'>,
  signal?: AbortSignal,
): Promise<AttemptOutcome> {
  const url = new URL(request.url);
  const host = hostOf(url);
  if (isIP(host) && isRefusedAddress(host, settings.allowPrivate))
    return Promise.resolve({ ok: false, error: privateTargetMessage(host, host) });
  const timestamp = Math.floor(settings.now() / 1000);
  const body = Buffer.from(request.body);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': body.length,
          'User-Agent': 'Dealdeck-Webhooks/1',
          [deliveryHeader]: request.deliveryId,
          [timestampHeader]: String(timestamp),
          [signatureHeader]: signBody(request.secret, timestamp, request.body),
        },
        lookup: guardedLookup(settings.allowPrivate) as never,
        agent: false,
      },
      (response) => {
        // The status is the answer: a receiver that sends its headers and then keeps the body
        // open has still answered. The body is read and dropped, up to a bound.
        const status = response.statusCode ?? 0;
        settle(
          status >= 200 && status < 300
            ? { ok: true, status }
            : {
                ok: false,
                status,
                error: `The receiver answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
              },
        );
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > maxAnswerBytes) req.destroy();
        });
        response.on('error', () => {});
        const cutOff = setTimeout(() => req.destroy(), settings.timeoutMs);
        cutOff.unref();
        response.on('close', () => clearTimeout(cutOff));
      },
    );
    const fail = (error: string) => {
      settle({ ok: false, error });
      req.destroy();
    };
    const timer = setTimeout(
      () => fail(`No answer within ${formatSeconds(settings.timeoutMs)}`),
      settings.timeoutMs,
    );
    const onAbort = () => fail('The service stopped during the attempt');
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) =>
      settle({
        ok: false,
        error:
          error.code === 'EPRIVATETARGET'
            ? error.message
            : `${error.message}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ''}`,
      }),
    );
    req.end(body);
  });
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
