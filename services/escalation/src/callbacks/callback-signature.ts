import { BackoffSchedule, RandomSource, backoffDelayMs } from '@agentops/retry';
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

/**
 * The wait before the next delivery after `attempts` failed ones: 500 ms–1 s, 1–2 s, 2–4 s …, at
 * most 5 min. Equal jitter: the floor is promised (a receiver that answered 503 is not called
 * again sooner), and callbacks that failed together (a receiver's outage) do not return together.
 */
export function callbackBackoffMs(attempts: number, random: RandomSource = Math.random): number {
  return backoffDelayMs(attempts, CALLBACK_BACKOFF, random);
}

const CALLBACK_BACKOFF: BackoffSchedule = { initialDelayMs: 1_000, maxDelayMs: 600_000, jitter: 'equal' };
