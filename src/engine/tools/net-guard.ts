import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { NonRetriableError } from '../../domain/errors.js';

/** True for loopback, private, link-local, CGNAT, unique-local and unspecified addresses. */
export function isPrivateAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (v === 6) {
    const x = ip.toLowerCase();
    if (x === '::' || x === '::1') return true;
    if (x.startsWith('::ffff:')) return isPrivateAddress(x.slice(7));
    return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(x);
  }
  return false;
}

export interface NetPolicy {
  /** Allow requests to private and loopback addresses (off by default). */
  allowPrivate: boolean;
  /** Hosts always allowed, e.g. "localhost:11434" or "192.168.1.5". */
  allowHosts: string[];
}

/** Refuses URLs that would reach private networks unless configuration allows them. */
export async function assertUrlAllowed(url: URL, policy: NetPolicy): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NonRetriableError('url_refused', `only http and https URLs are allowed (got ${url.protocol})`);
  }
  if (policy.allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (policy.allowHosts.includes(url.host) || policy.allowHosts.includes(host)) return;
  const addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (host === 'localhost' || addresses.some(isPrivateAddress)) {
    throw new NonRetriableError('url_refused', `refused to call ${url.host}: it is a private or loopback address`, {
      hint: 'Allow it with CHAINLOOM_HTTP_ALLOW_HOSTS (comma-separated host[:port]) or CHAINLOOM_HTTP_ALLOW_PRIVATE=1.',
    });
  }
}
