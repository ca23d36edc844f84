import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isValid } from 'ipaddr.js';
import { EgressPolicy, addressProblem, checkEgressUrl, hostOf, isLoopbackAddress } from './egress-policy';

/**
 * A call the policy refuses, or a redirect: permanent, so callers stop retrying and record why.
 * Any other error (DNS outage, connection refused, timeout) is worth another attempt.
 */
export class EgressRefused extends Error {
  override readonly name = 'EgressRefused';
}

/** Resolves a host name to every address it has (a port, so tests can resolve as they need). */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export interface GuardedPostOptions {
  policy: EgressPolicy;
  timeoutMs: number;
  resolver?: Resolver;
}

/**
 * The address a URL may be called at: its host resolved once, every address it has checked (one
 * inside address refuses the host: a resolver answering both would choose for us), the first
 * returned. The connection then goes to exactly this address — never to a second resolution,
 * which an attacker's DNS could answer differently (rebinding).
 */
export async function vetDestination(
  url: URL,
  policy: EgressPolicy,
  resolver: Resolver = systemResolver,
): Promise<LookupAddress> {
  const host = hostOf(url);
  const addresses = isValid(host)
    ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
    : await resolver(host);
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  for (const a of addresses) {
    const problem = addressProblem(a.address, policy);
    if (problem) throw new EgressRefused(`${host} resolves to ${problem}`);
  }
  if (url.protocol === 'http:' && !addresses.every((a) => isLoopbackAddress(a.address)))
    throw new EgressRefused(`${host} is not loopback: plain http is allowed only to loopback`);
  return addresses[0];
}

/**
 * POSTs a JSON body to a user-supplied URL under the egress policy and answers the status. A 3xx
 * is refused, not followed (the Location could point anywhere, inside included); the body of the
 * answer is never read. Proxy variables are not honoured: node:http ignores them.
 */
export async function postGuarded(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: GuardedPostOptions,
): Promise<number> {
  const check = checkEgressUrl(rawUrl, options.policy);
  if (!check.ok) throw new EgressRefused(`the URL ${check.reason}`);
  const url = check.url;
  const target = await vetDestination(url, options.policy, options.resolver);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: pinnedLookup(target),
        timeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('error', () => undefined);
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400)
          reject(new EgressRefused(`answered ${status}: redirects are not followed`));
        else resolve(status);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A lookup that answers the vetted address whatever it is asked (Node asks with `all` since v20). */
function pinnedLookup(target: LookupAddress): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
}
