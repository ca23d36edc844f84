import { IPv4, IPv6, isValid, parse } from 'ipaddr.js';

/**
 * Where the platform may send HTTP to a URL that a user wrote (an agent's `callbackUrl` label, a
 * route's webhook): https to public addresses only. Anything else would let whoever sets the URL
 * make our services call inside the network they run in (SSRF): the metadata endpoint, a database
 * admin page, another tenant's service. Pure: the URL check runs where URLs enter, the address
 * check again after DNS resolution, at send time.
 */
export interface EgressPolicy {
  /** Development mode: loopback destinations are allowed, and plain http only to them. */
  allowLoopback: boolean;
}

export const PRODUCTION_EGRESS: EgressPolicy = { allowLoopback: false };
export const DEVELOPMENT_EGRESS: EgressPolicy = { allowLoopback: true };

/** The policy of a deployment mode (`AGENTOPS_ENV`). */
export function egressPolicyFor(mode: 'development' | 'production'): EgressPolicy {
  return mode === 'development' ? DEVELOPMENT_EGRESS : PRODUCTION_EGRESS;
}

export type EgressUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Every special-purpose range (ipaddr.js names) in words, for the refusal message. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT',
  private: 'a private',
  reserved: 'a reserved',
  uniqueLocal: 'a unique-local',
  ipv4Mapped: 'an IPv4-mapped',
  ipv4Compatible: 'an IPv4-compatible',
  rfc6145: 'an IPv4-translated',
  rfc6052: 'a NAT64',
  '6to4': 'a 6to4',
  teredo: 'a Teredo',
};

/**
 * Whether a URL may be called at all, before any DNS: https (http only to loopback in development
 * mode), no credentials in it, and a literal IP host must be a public one.
 */
export function checkEgressUrl(raw: string, policy: EgressPolicy): EgressUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.username || url.password)
    return { ok: false, reason: 'must not carry credentials (user:password@); sign or use headers instead' };
  const host = hostOf(url);
  if (url.protocol === 'http:') {
    if (!policy.allowLoopback || !isLoopbackHost(host))
      return { ok: false, reason: 'must use https (plain http only to loopback, in development mode)' };
  } else if (url.protocol !== 'https:') {
    return { ok: false, reason: `must use https, not ${url.protocol.replace(/:$/, '')}` };
  }
  if (isValid(host)) {
    const problem = addressProblem(host, policy);
    if (problem) return { ok: false, reason: `points at ${problem}` };
  } else if (isLocalhostName(host) && !policy.allowLoopback) {
    return { ok: false, reason: `points at ${host}, which is loopback (allowed only in development mode)` };
  }
  return { ok: true, url };
}

/**
 * Why an address may not be called (undefined: it may). Only global unicast passes, plus loopback
 * in development mode; IPv4-mapped and other IPv6 forms that embed an IPv4 address are refused
 * rather than unwrapped, so no spelling of an inside address gets through.
 */
export function addressProblem(ip: string, policy: EgressPolicy): string | undefined {
  let address: IPv4 | IPv6;
  try {
    address = parse(ip);
  } catch {
    return `${ip}, which is not an IP address`;
  }
  let range: string = address.range();
  if (range === 'unicast' && address.kind() === 'ipv6' && isIpv4Compatible(address as IPv6))
    range = 'ipv4Compatible';
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  return `${ip}, ${RANGE_WORDS[range] ?? `a special-purpose (${range})`} address`;
}

export function isLoopbackAddress(ip: string): boolean {
  try {
    return parse(ip).range() === 'loopback';
  } catch {
    return false;
  }
}

/** The URL's host as a resolver sees it: no IPv6 brackets, no trailing root dot, lower case. */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '')
    .toLowerCase();
}

/** A host that can only mean this machine: a loopback literal, `localhost` or `*.localhost` (RFC 6761). */
function isLoopbackHost(host: string): boolean {
  return isValid(host) ? isLoopbackAddress(host) : isLocalhostName(host);
}

function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/** ::a.b.c.d (deprecated ::/96): the IPv4 address in its last 32 bits. */
function isIpv4Compatible(address: IPv6): boolean {
  return address.parts.slice(0, 6).every((p) => p === 0);
}
