import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed callbacks: `x-agentops-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp in the signed text lets receivers refuse replays older than a few minutes.
 */
export const SIGNATURE_HEADER = 'x-agentops-signature';

export function signCallback(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** For receivers (and tests): true when the header signs this body with the secret, within maxAgeSeconds. */
export function verifyCallback(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  maxAgeSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  if (!Number.isInteger(t) || !parts['v1'] || Math.abs(nowSeconds - t) > maxAgeSeconds) return false;
  const expected = Buffer.from(signCallback(secret, body, t).split('v1=')[1], 'hex');
  const given = Buffer.from(parts['v1'], 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Exponential backoff between attempts: 500 ms, 1 s, 2 s … capped at 5 min. */
export function callbackBackoffMs(attempts: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempts - 1), 300_000);
}
