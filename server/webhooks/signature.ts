// The signature a receiver checks (README, Webhooks): HMAC-SHA256, keyed with the subscription's
// secret, of `<timestamp>.<raw body>`, where the timestamp (seconds since 1970) is sent in
// Dealdeck-Timestamp: a receiver that refuses old timestamps cannot be sent a captured request
// again later.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'Dealdeck-Signature';
export const timestampHeader = 'Dealdeck-Timestamp';
export const deliveryHeader = 'Dealdeck-Delivery';

export const signBody = (secret: string, timestamp: number, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

/** What a receiver does: the signature matches, and the timestamp is recent. */
export function verifySignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
) {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const now = options.now ?? Date.now();
  if (Math.abs(now / 1000 - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signBody(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
