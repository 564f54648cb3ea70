// Server-side request forgery: a webhook target is any URL an admin types, and the service
// would POST to it from inside its own network. Targets that are (or resolve to) loopback,
// private, link-local, unique-local and other non-public addresses are refused unless
// WEBHOOKS_ALLOW_PRIVATE allows them: when the subscription is made (a clear 400), and again at
// every attempt on the address the connection actually uses (a name may resolve elsewhere by
// then: DNS rebinding), see send-webhook.ts.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ODataError } from '../query/errors.ts';
import type { WebhookSettings } from './webhook-settings.ts';

// (BlockList checks an IPv4-mapped IPv6 address, ::ffff:10.0.0.1, against the IPv4 rules: no
// rule of its own, which would also match every IPv4 address)
const nonPublic = new BlockList();
for (const [network, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, also cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const)
  nonPublic.addSubnet(network, bits, 'ipv4');
for (const [network, bits] of [
  ['::', 127], // unspecified and loopback
  ['64:ff9b::', 96], // NAT64: the same
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  nonPublic.addSubnet(network, bits, 'ipv6');

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Whether an address is one a webhook may not be sent to under these settings. */
export function isRefusedAddress(address: string, allowPrivate: WebhookSettings['allowPrivate']) {
  const family = familyOf(address);
  if (!nonPublic.check(address, family)) return false;
  if (allowPrivate === true) return false;
  return !(allowPrivate && allowPrivate.check(address, family) === true);
}

export const privateTargetMessage = (host: string, address: string) =>
  `${host === address ? `${address} is` : `${host} resolves to ${address},`} a loopback, private, link-local or otherwise non-public address: Dealdeck does not send webhooks into its own network unless WEBHOOKS_ALLOW_PRIVATE allows it`;

const badTarget = (message: string, code = 'InvalidTarget') => new ODataError(400, code, message, 'url');

/** The URL's syntax: http(s), a host, no credentials; returns it parsed. */
export function parseTargetUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.trim() === '')
    throw badTarget('url is the address to POST the changes to, e.g. https://example.com/hooks/dealdeck');
  if (value.length > 2048) throw badTarget('url is longer than 2048 characters');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badTarget(`url is not an absolute URL: '${value.slice(0, 100)}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badTarget(`url must be http:// or https://, not ${url.protocol}//`);
  if (url.username || url.password)
    throw badTarget('url must not hold a user name or password: the receiver checks the signature instead');
  if (url.hash) throw badTarget('url must not have a #fragment');
  return url;
}

/** A URL's host as the resolver takes it: IPv6 literals without their brackets. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const resolveAll = (host: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/** Refuses a target that does not resolve, or resolves to any refused address (400). */
export async function assertPublicTarget(url: URL, allowPrivate: WebhookSettings['allowPrivate']) {
  const host = hostOf(url);
  let addresses: LookupAddress[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolveAll(host);
  } catch (error) {
    throw badTarget(
      `${host} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the address`,
      'UnresolvableTarget',
    );
  }
  const refused = addresses.find((a) => isRefusedAddress(a.address, allowPrivate));
  if (refused) throw badTarget(privateTargetMessage(host, refused.address), 'PrivateTarget');
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses non-public addresses: the check is made on the
 * very addresses the socket connects to, so a name that resolves elsewhere at delivery time
 * than when it was checked is still refused.
 */
export function guardedLookup(allowPrivate: WebhookSettings['allowPrivate']) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((a) => isRefusedAddress(a.address, allowPrivate));
      if (refused) {
        const blocked = Object.assign(new Error(privateTargetMessage(hostname, refused.address)), {
          code: 'EPRIVATETARGET',
        });
        return callback(blocked, []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
