import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may point (SSRF policy). A tenant names a URL; the engine's
 * worker then sends requests to it from inside the operator's network, so by
 * default only public addresses are allowed: no loopback, private,
 * link-local (cloud metadata), carrier-grade NAT, multicast or reserved
 * ranges. The check runs twice: on the URL when a subscription is saved
 * (literal addresses and `localhost`, a clear 4xx), and on every address the
 * host name resolves to when a delivery connects (deliver.ts), so a name
 * that resolves to a private address is refused too. The engine-wide
 * WEBHOOK_ALLOW_PRIVATE_ADDRESSES lifts it for local demos and tests.
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True for an address webhooks may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(address, 'ipv6');
}

/** Why `value` cannot be a webhook URL, or undefined when it can. */
export function webhookUrlProblem(value: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'must be an http:// or https:// URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a #fragment';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || (!host.includes('.') && !isIP(host))) {
    return 'must name a public host (private, loopback and local names are refused)';
  }
  if (isIP(host) && isPrivateAddress(host)) {
    return 'must name a public address (private, loopback and link-local ranges are refused)';
  }
  return undefined;
}
