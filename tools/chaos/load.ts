import { AgentOpsClient, AgentOpsRequestError, Intent } from '@agentops/sdk';
import { AnswerSample } from './answers';

/**
 * Steady load through the SDK: `ratePerSec` proposals a second, round robin over the agents, sent
 * on schedule whether or not earlier ones were answered (open loop, as independent agents would),
 * each recorded with what the agent was told.
 */
export class SteadyLoad {
  private samples: AnswerSample[] = [];
  /** Each proposal waiting for its answer, with when it was sent. */
  private readonly inFlight = new Map<Promise<void>, number>();
  private timer?: NodeJS.Timeout;
  private sent = 0;

  constructor(
    private readonly agents: AgentOpsClient[],
    private readonly ratePerSec: number,
    private readonly intentOf: (n: number) => Intent,
    private readonly maxWaitMs: number,
  ) {}

  start(): void {
    const intervalMs = 1000 / this.ratePerSec;
    const startedAt = Date.now();
    let next = 0;
    const tick = (): void => {
      // A late timer sends every proposal that is due, so the offered rate holds on average.
      while (startedAt + next * intervalMs <= Date.now()) this.send(startedAt + next++ * intervalMs);
      this.timer = setTimeout(tick, Math.max(0, startedAt + next * intervalMs - Date.now()));
    };
    tick();
  }

  /** Stops sending, waits for every answer and hands over the samples since `start`. */
  async stop(): Promise<AnswerSample[]> {
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight.keys()]);
    const out = this.samples;
    this.samples = [];
    return out;
  }

  /** Answered samples of proposals sent in [fromMs, toMs). */
  answeredBetween(fromMs: number, toMs: number): AnswerSample[] {
    return this.samples.filter((s) => s.sentAtMs >= fromMs && s.sentAtMs < toMs);
  }

  /** Whether a proposal sent before `ms` is still waiting for its answer. */
  pendingSentBefore(ms: number): boolean {
    for (const sentAt of this.inFlight.values()) if (sentAt < ms) return true;
    return false;
  }

  private send(sentAtMs: number): void {
    const n = this.sent++;
    const agent = this.agents[n % this.agents.length];
    const record = (kind: AnswerSample['kind'], intentId?: string): void => {
      this.samples.push({
        sentAtMs,
        latencyMs: Date.now() - sentAtMs,
        kind,
        ...(intentId ? { intentId } : {}),
      });
    };
    const call = agent.propose(this.intentOf(n), { maxWaitMs: this.maxWaitMs }).then(
      (decision) => {
        // The SDK answers an unreachable platform with its own fail-closed deny and no intent id.
        if (!decision.intentId) return record('unreachable');
        record(decision.decidedBy === 'timeout' ? 'fail_closed' : 'decided', decision.intentId);
      },
      (error: unknown) => record(error instanceof AgentOpsRequestError ? 'refused' : 'unreachable'),
    );
    this.inFlight.set(call, sentAtMs);
    void call.finally(() => this.inFlight.delete(call));
  }
}
