/**
 * Whether a handler failed because a store or broker it needs could not be reached — nothing about
 * the message. Such a failure is never the message's to pay for: a consumer keeps the message and
 * tries again until the dependency is back, instead of dead-lettering it as `retries_exhausted`
 * after a few seconds (a 30 s PostgreSQL restart dead-lettered every intent guardrail read meanwhile,
 * and each of them then had no decision; docs/reliability.md).
 */
export function isDependencyOutage(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (looksLikeOutage(current as ErrorLike)) return true;
    const e = current as ErrorLike;
    current = e.driverError ?? e.cause ?? e.originalError;
  }
  return false;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  driverError?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of a server that is going, gone or not there yet: class 08 (connection
 * exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now: "the database system
 * is starting up"), 53300 (too many connections).
 */
const isPostgresUnavailable = (code: string) =>
  code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';

/** kafkajs's errors of a broker it could not reach or that did not answer in time. */
const KAFKA_UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
]);

/**
 * Messages without a code: node-postgres's lost connection and pool timeout, ioredis's closed
 * connection and its per-request retries given up while Redis is away.
 */
const OUTAGE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Connection is closed/,
  /Reached the max retries per request limit/,
  /Stream isn't writeable/,
];

function looksLikeOutage(e: ErrorLike): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isPostgresUnavailable(code))) return true;
  const name = typeof e.name === 'string' ? e.name : '';
  if (KAFKA_UNAVAILABLE.has(name) || name === 'MaxRetriesPerRequestError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return OUTAGE_MESSAGES.some((m) => m.test(message));
}

/** Between two rounds of attempts while a dependency is unavailable (each round backs off itself). */
export const OUTAGE_PAUSE_MS = 2_000;

export function pauseForOutage(ms = OUTAGE_PAUSE_MS): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A partition a consumer holds because a dependency is down: `heldSince` (epoch ms) when the hold
 * began, `null` once the held message went through (or was let go). A held partition makes no
 * progress and says so nowhere else — its lag grows only if new messages arrive, and a quiet
 * partition held for an hour looks healthy — so the consumers report the hold itself.
 */
export type PartitionHoldObserver = (
  groupId: string,
  topic: string,
  partition: number,
  heldSince: number | null,
) => void;

/** One partition's hold, reported once when it begins and once when it ends. */
export class PartitionHold {
  private since: number | null = null;

  constructor(
    private readonly report: (heldSince: number | null) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get heldSince(): number | null {
    return this.since;
  }

  /** A round of attempts failed on an outage: the hold begins (or goes on). */
  hold(): void {
    if (this.since !== null) return;
    this.since = this.now();
    this.report(this.since);
  }

  /** The held work went through, or the partition was let go: the hold ends, if there was one. */
  release(): void {
    if (this.since === null) return;
    this.since = null;
    this.report(null);
  }
}
