import { randomUUID } from 'node:crypto';
import { ControlStream } from './control-stream';
import { AgentOpsRequestError, HaltedError, IntentDeniedError } from './errors';
import type {
  AgentOpsClientOptions,
  Decision,
  ExecutionContext,
  GuardOptions,
  Halt,
  Intent,
  Outcome,
  ProposeOptions,
  Telemetry,
} from './types';

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
  private stream?: ControlStream;

  constructor(private readonly options: AgentOpsClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Proposes an intent and waits for its final decision; never throws for a deny. */
  async propose(intent: Intent, options: ProposeOptions = {}): Promise<Decision & { intentId: string }> {
    const maxWaitMs = options.maxWaitMs ?? this.options.maxWaitMs ?? 60_000;
    const deadline = Date.now() + maxWaitMs;
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    let answer: { intentId: string; status: string; decision?: Decision };
    try {
      answer = await this.call(
        'POST',
        `/v1/intents?wait=true&timeoutMs=${Math.max(100, Math.min(maxWaitMs, 30_000))}`,
        intent,
        {
          'idempotency-key': idempotencyKey,
        },
        maxWaitMs,
      );
    } catch (error) {
      if (error instanceof AgentOpsRequestError) throw error;
      return failClosed('', intent.action, `AgentOps unreachable: ${(error as Error).message}`);
    }
    let decision = answer.decision;
    // A human may still be deciding (escalate), or the agent was answered "pending": poll until final.
    while (!decision || decision.verdict === 'escalate') {
      if (Date.now() >= deadline) {
        return failClosed(
          answer.intentId,
          intent.action,
          `no final decision within ${maxWaitMs} ms${decision ? ' (escalated to a human)' : ''}`,
        );
      }
      await sleep(this.options.pollIntervalMs ?? 500);
      try {
        const polled = await this.call<{ decision: Decision }>(
          'GET',
          `/v1/intents/${answer.intentId}/decision`,
          undefined,
          {},
          10_000,
          [404],
        );
        if (polled) decision = polled.decision;
      } catch (error) {
        if (error instanceof AgentOpsRequestError) throw error;
        this.warn('polling for the decision failed; retrying', error);
      }
    }
    return { ...decision, intentId: answer.intentId };
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
    });
    await this.stream.start();
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

  /** One API call with retries on network errors and 5xx; the idempotency key makes them safe. */
  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    waitMs: number,
    nullOn: number[] = [],
  ): Promise<T> {
    const attempts = this.options.attempts ?? 3;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
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
        if (nullOn.includes(res.status)) return null as T;
        const parsed = await res.json().catch(() => undefined);
        if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
        if (!res.ok) throw new AgentOpsRequestError(res.status, parsed);
        return parsed as T;
      } catch (error) {
        if (error instanceof AgentOpsRequestError) throw error;
        last = error;
        if (attempt < attempts) await sleep(200 * 2 ** (attempt - 1));
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
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

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
