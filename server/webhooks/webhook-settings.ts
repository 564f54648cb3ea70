// How webhooks are delivered: the settings of README, Webhooks (WEBHOOKS_ALLOW_PRIVATE,
// WEBHOOK_RETRY_HOURS, WEBHOOK_TIMEOUT_SECONDS), and what tests replace (the clock, the backoff).
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface WebhookSettings {
  /**
   * Targets on loopback, private, link-local or unique-local addresses: refused (false), all
   * allowed (true), or those in these ranges allowed (e.g. a receiver on the own network)
   */
  allowPrivate: boolean | BlockList;
  /** how long a change is tried, from when it was written; then its delivery is failed */
  retryWindowMs: number;
  /** one attempt: connecting, sending and the receiver's answer */
  timeoutMs: number;
  /** the pause after a failed attempt (1 for the first) */
  backoffMs: (attempt: number) => number;
  /** attempts in flight at once, per instance */
  concurrency: number;
  /**
   * How long a claimed delivery is an instance's own: another instance takes it over after
   * this (the first one crashed). Longer than an attempt can take.
   */
  leaseMs: number;
  /** how often an instance without active subscriptions looks for new ones made elsewhere */
  idleCheckMs: number;
  /** delivered and failed deliveries are kept this long in the log */
  logKeepMs: number;
  /** journal entries read at once */
  pageSize: number;
  /** the time, as milliseconds since 1970 */
  now: () => number;
}

/** 30 s, 1 min, 2 min, ... up to an hour between attempts. */
export const exponentialBackoff = (attempt: number) => Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);

export const defaultWebhookSettings: WebhookSettings = {
  allowPrivate: false,
  retryWindowMs: 24 * 3_600_000,
  timeoutMs: 10_000,
  backoffMs: exponentialBackoff,
  concurrency: 8,
  leaseMs: 70_000,
  idleCheckMs: 30_000,
  logKeepMs: 30 * 24 * 3_600_000,
  pageSize: 500,
  now: () => Date.now(),
};

export const webhookSettings = (given: Partial<WebhookSettings> = {}): WebhookSettings => {
  const settings = { ...defaultWebhookSettings, ...given };
  // an attempt must end before another instance may take its delivery over
  return { ...settings, leaseMs: Math.max(settings.leaseMs, settings.timeoutMs + 10_000) };
};

/**
 * WEBHOOKS_ALLOW_PRIVATE: unset, 0 or false refuses private targets; 1 or true allows every one;
 * otherwise a comma-separated list of addresses and ranges (10.1.0.0/16, fd00::/8) allowed.
 */
export function parseAllowPrivate(value: string | undefined): boolean | BlockList {
  const text = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(text)) return false;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  const list = new BlockList();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [address, prefix, extra] = part.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 'ipv4' ? 32 : 128;
    if (
      !family ||
      extra !== undefined ||
      (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))
    ) {
      throw new Error(
        `WEBHOOKS_ALLOW_PRIVATE is 1 (allow every private address), 0, or a list of addresses and ranges such as 10.1.0.0/16,fd00::/8; '${part}' is none of these`,
      );
    }
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  return list;
}
