import { IntentFact, SeededRandom } from '@agentops/rollout-analysis';

/**
 * Seeded simulated decision streams: each intent lands on an arm with the served weight, then
 * draws its verdict and its decision latency from that arm's behaviour. Every run has its own
 * seed, so a run's stream can be replayed exactly and two judges see the very same intents.
 */

/** How one arm behaves. */
export interface ArmBehaviour {
  denyRate: number;
  escalationRate: number;
  /** Decision latency is log-normal: median and log-scale spread. */
  latencyMedianMs: number;
  latencySigma: number;
  /** Share of the arm's intents that never reach a decision (a variant crashing before it proposes). */
  lossRate?: number;
}

export const BASELINE_BEHAVIOUR: ArmBehaviour = {
  denyRate: 0.05,
  escalationRate: 0.03,
  latencyMedianMs: 40,
  latencySigma: 0.5,
};

/** The decision fact of one simulated intent. */
export function drawDecision(rng: SeededRandom, arm: ArmBehaviour): IntentFact & { kind: 'decision' } {
  const u = rng.next();
  const verdict = u < arm.denyRate ? 'deny' : u < arm.denyRate + arm.escalationRate ? 'escalate' : 'allow';
  return {
    kind: 'decision',
    verdict,
    decidedBy: 'policy',
    latencyMs: arm.latencyMedianMs * Math.exp(arm.latencySigma * rng.normal()),
  };
}
