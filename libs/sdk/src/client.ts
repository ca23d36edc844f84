import type { IntentAnswer } from '@agentops/contracts';
import { BackoffSchedule, withRetries } from '@agentops/retry';
import { randomUUID } from 'node:crypto';
import { assignVariant } from './assignment';
import { ControlStream } from './control-stream';
import { parseRetryAfter } from './retry-after';
import { AgentOpsRequestError, HaltedError, IntentDeniedError } from './errors';
import type {
  ApprovedCopyAnswer,
  DataAccess,
  KnowledgeSummary,
  ProductFacts,
  AgentOpsClientOptions,
  Decision,
  ExecutionContext,
  GuardOptions,
  Halt,
  Intent,
  Outcome,
  PendingReview,
  ProposeOptions,
  RolloutConfig,
  Telemetry,
  VariantAssignment,
} from './types';

/** method, path, body, headers, how long the server may hold it (ms), statuses answered as null. */
type RequestArgs = [
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
  waitMs: number,
  nullOn?: number[],
];

interface Answered<T> {
  body: T;
  /** The server's Retry-After, in ms, when it sent one. */
  retryAfterMs?: number;
}

/** Between two tries of one call: 200 ms, 400 ms … (full jitter), at most 5 s. */
const REQUEST_BACKOFF: BackoffSchedule = { initialDelayMs: 200, maxDelayMs: 5_000 };

interface Running {
  action: string;
  controller: AbortController;
}

/**
 * Puts an agent under AgentOps. `guard(intent, execute)` proposes the intent, waits for the
 * decision (a human's included, up to `maxWaitMs`), runs `execute` only on allow or modify — with
 * the modified parameters — reports what actually happened, and throws `IntentDeniedError`
 * otherwise. Everything fails closed: no answer means no action.
 */
export class AgentOpsClient {
  private readonly fetch: typeof fetch;
  private readonly running = new Set<Running>();
  private readonly halts = new Map<string, Halt>();
  /** Rollouts covering this agent, by key (the newest generation), from the control stream. */
  private readonly rollouts = new Map<string, RolloutConfig>();
  private stream?: ControlStream;

  constructor(private readonly options: AgentOpsClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * Proposes an intent and waits for its final decision; never throws for a deny. An escalated
   * intent (HTTP 202 `pending_review`) is followed until the human's decision — or the route's SLA
   * timeout outcome, which escalation decides — arrives, within `maxWaitMs`.
   */
  async propose(intent: Intent, options: ProposeOptions = {}): Promise<Decision & { intentId: string }> {
    const maxWaitMs = options.maxWaitMs ?? this.options.maxWaitMs ?? 60_000;
    const deadline = Date.now() + maxWaitMs;
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    let answer: Answered<IntentAnswer>;
    try {
      answer = await this.request<IntentAnswer>(
        'POST',
        `/v1/intents?wait=true&timeoutMs=${Math.max(100, Math.min(maxWaitMs, 30_000))}`,
        intent,
        // respond-async: told at once when the intent goes to a human, instead of held through it.
        { 'idempotency-key': idempotencyKey, prefer: 'respond-async' },
        maxWaitMs,
      );
    } catch (error) {
      if (error instanceof AgentOpsRequestError) throw error;
      return failClosed('', intent.action, `AgentOps unreachable: ${(error as Error).message}`);
    }
    const intentId = answer.body.intentId;
    let review: PendingReview | undefined;
    const heard = (a: IntentAnswer) => {
      if (a.status !== 'pending_review') return;
      if (review && JSON.stringify(review) === JSON.stringify(a.escalation)) return;
      review = a.escalation;
      options.onPendingReview?.(review);
    };
    heard(answer.body);
    let decision = final(answer.body);
    const minDelay = this.options.pollIntervalMs ?? 500;
    const maxDelay = Math.max(minDelay, this.options.maxPollIntervalMs ?? 5000);
    let delay = minDelay;
    let retryAfterMs = answer.retryAfterMs;
    // A human may still be deciding (pending review), or the agent was answered "pending": poll
    // until final, backing off, never sooner than the server asks.
    while (!decision) {
      const left = deadline - Date.now();
      if (left <= 0) {
        return failClosed(
          intentId,
          intent.action,
          `no final decision within ${maxWaitMs} ms` +
            (review
              ? ` (pending review${review.taskId ? ` in task ${review.taskId}` : ''}${review.timeoutAt ? `, SLA until ${review.timeoutAt}` : ''})`
              : ''),
        );
      }
      await sleep(Math.min(Math.max(delay, retryAfterMs ?? 0), left));
      delay = Math.min(delay * 2, maxDelay);
      try {
        const polled = await this.request<IntentAnswer | null>(
          'GET',
          `/v1/intents/${intentId}/decision`,
          undefined,
          {},
          10_000,
          [404],
        );
        retryAfterMs = polled.retryAfterMs;
        if (polled.body) {
          heard(polled.body);
          decision = final(polled.body);
        }
      } catch (error) {
        if (error instanceof AgentOpsRequestError) throw error;
        this.warn('polling for the decision failed; retrying', error);
      }
    }
    return { ...decision, intentId };
  }

  async guard<T>(
    intent: Intent,
    execute: (ctx: ExecutionContext) => Promise<T>,
    options: GuardOptions<T> = {},
  ): Promise<T> {
    const halted = this.haltCovering(intent.action);
    if (halted) throw new HaltedError(halted.switchId, halted.reason);
    const decision = await this.propose(intent, options);
    if (decision.verdict !== 'allow' && decision.verdict !== 'modify') throw new IntentDeniedError(decision);

    const params = decision.modifiedParams ?? intent.params ?? {};
    const entry: Running = { action: intent.action, controller: new AbortController() };
    this.running.add(entry);
    const ctx: ExecutionContext = {
      params,
      decision,
      intentId: decision.intentId,
      signal: entry.controller.signal,
    };
    try {
      // Race the work against a halt, so a halt stops the wait even if `execute` ignores the signal.
      const result = await Promise.race([execute(ctx), abortion(entry.controller.signal)]);
      await this.reportQuietly({
        intentId: decision.intentId,
        action: intent.action,
        status: 'succeeded',
        executedParams: options.executedParams ? options.executedParams(result, ctx) : params,
        result: options.resultSummary?.(result),
      });
      return result;
    } catch (error) {
      await this.reportQuietly({
        intentId: decision.intentId,
        action: intent.action,
        status: 'failed',
        executedParams: params,
        error: String((error as Error).message ?? error).slice(0, 2000),
      });
      throw error;
    } finally {
      this.running.delete(entry);
    }
  }

  async reportOutcome(outcome: Outcome): Promise<{ outcomeId: string }> {
    return this.call('POST', '/v1/outcomes', outcome, {}, 10_000);
  }

  async recordTelemetry(telemetry: Telemetry): Promise<{ telemetryId: string }> {
    return this.call('POST', '/v1/telemetry', telemetry, {}, 10_000);
  }

  /**
   * Reports a read (or, with a destination, an egress that ran) as telemetry of kind
   * `data_access`; the access monitor compares it with the agent's and its peers' baselines.
   */
  async recordDataAccess(access: DataAccess): Promise<{ telemetryId: string }> {
    const { recordCount, destination, intentId, ...rest } = access;
    const report = {
      kind: destination === undefined ? ('read' as const) : ('egress' as const),
      ...rest,
      records: recordCount,
      ...(destination === undefined ? {} : { destination }),
      ...(intentId === undefined ? {} : { intentId }),
    };
    return this.recordTelemetry({
      kind: 'data_access',
      name: access.source,
      records: recordCount,
      dataClasses: access.dataClasses ?? [],
      ...(intentId === undefined ? {} : { intentId }),
      access: report,
    });
  }

  /** The tenant's current approved knowledge (policies, voice, approved claims) and its `kbVersion`. */
  async knowledge(): Promise<KnowledgeSummary> {
    return this.call('GET', '/v1/knowledge', undefined, {}, 0);
  }

  /** A product's approved facts, with the `kbVersion` to cite and how fresh price and stock are. */
  async productFacts(sku: string): Promise<ProductFacts> {
    return this.call('GET', `/v1/knowledge/products/${encodeURIComponent(sku)}`, undefined, {}, 0);
  }

  /** Approved copy live now, optionally of one campaign or product. */
  async approvedCopy(filter: { campaign?: string; sku?: string } = {}): Promise<ApprovedCopyAnswer> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ).toString();
    return this.call('GET', `/v1/knowledge/copy${query ? `?${query}` : ''}`, undefined, {}, 0);
  }

  /**
   * Starts listening on the control stream: a halt covering this agent aborts its running guarded
   * work and refuses new work (for the switch's action pattern, if it has one) until resumed.
   */
  async listen(handlers: { onHalt?: (h: Halt) => void; onResume?: (h: Halt) => void } = {}): Promise<void> {
    if (this.stream) return;
    this.stream = new ControlStream({
      url: `${this.options.baseUrl}/v1/control/stream`,
      apiKey: this.options.apiKey,
      fetch: this.fetch,
      onWarning: (m, e) => this.warn(m, e),
      onHalt: (halt) => {
        this.halts.set(halt.switchId, halt);
        for (const r of this.running)
          if (covers(halt, r.action)) r.controller.abort(new HaltedError(halt.switchId, halt.reason));
        handlers.onHalt?.(halt);
      },
      onResume: (halt) => {
        this.halts.delete(halt.switchId);
        handlers.onResume?.(halt);
      },
      onRollout: (rollout) => {
        const known = this.rollouts.get(rollout.key);
        if (!known || known.rolloutId !== rollout.rolloutId || known.generation <= rollout.generation)
          this.rollouts.set(rollout.key, rollout);
      },
    });
    await this.stream.start();
  }

  /**
   * Which variant this unit (a SKU, a customer id — the value at the rollout's unit path) runs in
   * the rollout `rolloutKey`, answered locally from the control stream (`listen()` first): the same
   * salted hash the platform checks, so pass `{ rollout, name }` as the intent's `variant`.
   * Undefined when no rollout of that key covers this agent.
   */
  variant(rolloutKey: string, unit: string | number): VariantAssignment | undefined {
    const rollout = this.rollouts.get(rolloutKey);
    return rollout ? assignVariant(rollout, String(unit)) : undefined;
  }

  close(): void {
    this.stream?.stop();
    this.stream = undefined;
  }

  private haltCovering(action: string): Halt | undefined {
    return [...this.halts.values()].find((h) => covers(h, action));
  }

  private async reportQuietly(outcome: Outcome): Promise<void> {
    try {
      await this.reportOutcome(outcome);
    } catch (error) {
      this.warn(`could not report the outcome of ${outcome.intentId}`, error);
    }
  }

  /**
   * One API call with retries on network errors, 5xx and 429 — jittered exponential backoff, never
   * sooner than the server's Retry-After; the idempotency key makes them safe.
   */
  private async call<T>(...args: RequestArgs): Promise<T> {
    return (await this.request<T>(...args)).body;
  }

  private async request<T>(
    ...[method, path, body, headers, waitMs, nullOn = []]: RequestArgs
  ): Promise<Answered<T>> {
    return withRetries(
      async () => {
        const res = await this.fetch(`${this.options.baseUrl}${path}`, {
          method,
          headers: {
            'x-api-key': this.options.apiKey,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout((this.options.requestTimeoutMs ?? 10_000) + waitMs),
        });
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        if (nullOn.includes(res.status)) return { body: null as T, retryAfterMs };
        const parsed = await res.json().catch(() => undefined);
        if (res.status >= 500) throw new ServerUnavailable(res.status, retryAfterMs);
        if (!res.ok) throw new AgentOpsRequestError(res.status, parsed, retryAfterMs);
        return { body: parsed as T, retryAfterMs };
      },
      {
        maxAttempts: this.options.attempts ?? 3,
        schedule: REQUEST_BACKOFF,
        // Network errors, 5xx and 429 (throttled) are worth another try; any other refusal is not.
        retryOn: (error) => !(error instanceof AgentOpsRequestError) || error.status === 429,
        minDelayMsOf: (error) =>
          error instanceof ServerUnavailable || error instanceof AgentOpsRequestError
            ? error.retryAfterMs
            : undefined,
      },
    );
  }

  private warn(message: string, error?: unknown): void {
    (this.options.onWarning ?? ((m: string, e?: unknown) => console.warn(`agentops: ${m}`, e ?? '')))(
      message,
      error,
    );
  }
}

/** A halt covers an action unless it names an action pattern the action is outside of. */
function covers(halt: Halt, action: string): boolean {
  const pattern = halt.selector?.action;
  if (!pattern) return true;
  return new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(action);
}

function failClosed(intentId: string, action: string, message: string): Decision & { intentId: string } {
  const now = new Date().toISOString();
  return {
    intentId,
    agentId: '',
    action,
    verdict: 'deny',
    reasons: [{ policyId: 'sdk.fail-closed', policyVersion: '1', message, effect: 'deny', mode: 'enforce' }],
    obligations: [],
    decidedBy: 'timeout',
    decidedAt: now,
    expiresAt: now,
  };
}

/** A final decision: `escalate` (pending review) is none, whatever the status says. */
function final(answer: IntentAnswer): Decision | undefined {
  if (answer.status !== 'decided' || answer.decision.verdict === 'escalate') return undefined;
  return answer.decision;
}

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );
}

/** A 5xx: the server is there but cannot answer now; retried like a network error. */
class ServerUnavailable extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status}`);
    this.name = 'ServerUnavailable';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
