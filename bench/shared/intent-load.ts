/**
 * Open-loop intent load from a process of its own, so the load generator's event loop is not the
 * one being measured. Forked by a benchmark (`startIntentLoad`), its settings the first IPC message
 * (not argv: sixty agents' intents exceed the kernel's limit on one argument); sends intents at
 * `rate` per second over the ingest URLs and API keys (round-robin) until told `stop`, then answers
 * with what it achieved and exits.
 *
 * Two modes. Fire-and-forget (default): uncovered `POST /v1/intents`, answered 202 at once — load
 * beside what a benchmark measures. `decide`: each intent through the SDK's `propose`
 * (`POST /v1/intents?wait=true`, an Idempotency-Key, held until the decision), timed from the instant
 * the schedule said to send (no coordinated omission) — the load is what is measured.
 */
import { AgentOpsClient, type Intent } from '@agentops/sdk';
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LatencySummary, summarize } from './stats';

export interface IntentLoadSettings {
  urls: string[];
  apiKeys: string[];
  rate: number;
  /** Requests in flight at most; beyond it a due request is skipped (counted, not queued). */
  maxInFlight?: number;
  /** Through the SDK, held until the decision, timed: see the file comment. */
  decide?: {
    /** The bodies each API key sends (same order as `apiKeys`), round-robin. */
    intents: Intent[][];
    /** The SDK's `maxWaitMs`: what a request may take at most (ingest's own wait included). */
    maxWaitMs: number;
    /** Stop sending at the first skipped request (in-flight cap reached): the step saturated. */
    stopWhenSaturated?: boolean;
  };
}

export interface IntentLoadResult {
  sent: number;
  accepted: number;
  errors: number;
  skipped: number;
  /** Intents per second actually sent. */
  achievedRate: number;
  statuses: Record<string, number>;
  /** `decide` mode only, from here on. */
  decisions?: {
    /** Decisions a policy made (fail-closed and kill-switch denies not counted), per second, first send to last answer. */
    decidedPerSecond: number;
    /** Schedule → decision, over every answered request. */
    latencyMs: LatencySummary;
    /** Denies nobody decided (`decidedBy: timeout`: ingest's deadline or the SDK's). */
    failClosed: number;
    /** Intents a policy sent to a human: not a fail-closed, though the SDK ends its wait with one. */
    escalated: number;
    /** Answered by a kill switch or breaker in ingest (`decidedBy` killswitch/breaker), not by guardrail. */
    halted: number;
    verdicts: Record<string, number>;
    /** Requests still unanswered when the drain deadline passed (counted, never waited for). */
    unanswered: number;
    /** Sending stopped at the first skipped request (`stopWhenSaturated`). */
    saturated: boolean;
    /** Seconds the sending lasted (shorter than asked when it saturated). */
    sendingSeconds: number;
  };
}

export interface IntentLoad {
  /** Ends the sending and resolves with what it achieved (`decide`: once the answers are in). */
  stop(): Promise<IntentLoadResult>;
  /** Settles when the load reported: after `stop`, or by itself when it saturated. */
  readonly result: Promise<IntentLoadResult>;
}

/** Starts the load in a child process; `stop` ends it and resolves with what it achieved. */
export function startIntentLoad(settings: IntentLoadSettings): IntentLoad {
  const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ settings });
  const result = new Promise<IntentLoadResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as IntentLoadResult));
    child.once('exit', (code) => reject(new Error(`intent load exited with ${code} before reporting`)));
  });
  result.catch(() => undefined); // observed by stop() or the caller's own await
  return {
    result,
    stop: () => {
      if (child.connected) child.send('stop');
      return result;
    },
  };
}

/** The uncovered intent the fire-and-forget mode sends. */
function backgroundIntent(i: number): Intent {
  return {
    action: 'service.send_message',
    target: { type: 'customer', id: `C-${i}` },
    params: {},
    confidence: 0.9,
    justification: 'bench load',
    dataUsed: [],
  };
}

/** Past the SDK's own bound (wait + request timeout), a request is counted unanswered. */
const DRAIN_GRACE_MS = 3000;

function runLoad(s: IntentLoadSettings): void {
  const maxInFlight = s.maxInFlight ?? 2000;
  const statuses: Record<string, number> = {};
  const verdicts: Record<string, number> = {};
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  let skipped = 0;
  let failClosed = 0;
  let escalated = 0;
  let halted = 0;
  let lastAnswerAt = 0;
  let due = 0;
  let stopping = false;
  let saturated = false;
  const started = performance.now();
  const decide = s.decide;
  const clients = decide
    ? s.apiKeys.map(
        (apiKey, k) =>
          new AgentOpsClient({
            baseUrl: s.urls[k % s.urls.length],
            apiKey,
            maxWaitMs: decide.maxWaitMs,
            // One try: a retry would add load exactly when the platform saturates.
            attempts: 1,
            requestTimeoutMs: 1000,
            onWarning: () => undefined,
          }),
      )
    : [];

  const fireAndForget = (i: number) =>
    fetch(`${s.urls[i % s.urls.length]}/v1/intents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': s.apiKeys[i % s.apiKeys.length] },
      body: JSON.stringify(backgroundIntent(i)),
    }).then(async (r) => {
      await r.arrayBuffer();
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status < 300) accepted++;
      else errors++;
    });

  const proposed = async (i: number, scheduledAt: number) => {
    const { intents } = decide!;
    const k = i % clients.length;
    let pendingReview = false;
    const own = intents[k];
    const decision = await clients[k].propose(own[Math.floor(i / clients.length) % own.length], {
      onPendingReview: () => void (pendingReview = true),
    });
    lastAnswerAt = performance.now();
    const status = pendingReview
      ? 'pending_review'
      : decision.decidedBy === 'timeout'
        ? 'fail_closed'
        : 'decided';
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (pendingReview) {
      escalated++;
      return;
    }
    accepted++;
    latencies.push(lastAnswerAt - scheduledAt);
    verdicts[decision.verdict] = (verdicts[decision.verdict] ?? 0) + 1;
    if (decision.decidedBy === 'timeout') failClosed++;
    if (decision.decidedBy === 'killswitch' || decision.decidedBy === 'breaker') halted++;
  };

  const send = (scheduledAt: number) => {
    const i = sent + skipped;
    if (pending.size >= maxInFlight) {
      skipped++;
      if (decide?.stopWhenSaturated) {
        saturated = true;
        void finish();
      }
      return;
    }
    sent++;
    const request: Promise<void> = (decide ? proposed(i, scheduledAt) : fireAndForget(i))
      .catch((error: unknown) => {
        errors++;
        const why = `error: ${error instanceof Error ? error.message.slice(0, 60) : String(error)}`;
        statuses[why] = (statuses[why] ?? 0) + 1;
      })
      .finally(() => void pending.delete(request));
    pending.add(request);
  };
  // Sends what the schedule says is due every few milliseconds: the rate holds however the timer slips.
  const timer = setInterval(() => {
    const now = performance.now();
    const target = Math.floor(((now - started) / 1000) * s.rate);
    for (; due < target && !stopping; due++) send(started + (due * 1000) / s.rate);
  }, 4);

  const finish = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    const sendingSeconds = (performance.now() - started) / 1000;
    const base = {
      sent,
      accepted,
      errors,
      skipped,
      achievedRate: Math.round(sent / sendingSeconds),
      statuses,
    };
    if (!decide) return process.send!(base, () => process.exit(0));
    // Every request ends within the SDK's bound; the grace only guards against a hung socket.
    const drained = new Promise<void>((r) => setTimeout(r, decide.maxWaitMs + 1000 + DRAIN_GRACE_MS).unref());
    await Promise.race([Promise.all(pending), drained]);
    const window = ((lastAnswerAt || performance.now()) - started) / 1000;
    const result: IntentLoadResult = {
      ...base,
      accepted,
      errors,
      statuses,
      decisions: {
        decidedPerSecond: Math.round((accepted - failClosed - halted) / Math.max(window, sendingSeconds)),
        latencyMs: summarize(latencies),
        failClosed,
        escalated,
        halted,
        verdicts,
        unanswered: pending.size,
        saturated,
        sendingSeconds: Math.round(sendingSeconds * 100) / 100,
      },
    };
    process.send!(result, () => process.exit(0));
  };
  process.on('message', (m) => {
    if (m === 'stop') void finish();
  });
  // The benchmark went away (crashed, interrupted): no load is left running behind it.
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module && process.send)
  process.once('message', (m: { settings: IntentLoadSettings }) => runLoad(m.settings));
