import type {
  IntentDecidedV1,
  IntentProposal,
  OutcomeReport,
  PendingReview,
  TelemetryReport,
} from '@agentops/contracts';
import type { z } from 'zod';

/** What the agent intends to do, announced before acting (`params` and `dataUsed` may be omitted). */
export type Intent = z.input<typeof IntentProposal>;
/** The platform's answer. */
export type Decision = IntentDecidedV1;
export type Outcome = z.input<typeof OutcomeReport>;
export type Telemetry = z.input<typeof TelemetryReport>;

/**
 * One read or one egress of data (issue #17). `subjectIds` are pseudonyms (`<kind>_<32 hex>`, as
 * `libs/privacy` `pseudonymise` writes them with the tenant's key): ingest refuses a raw e-mail or
 * customer number, naming the field. A `destination` makes it an egress (after it ran).
 */
export interface DataAccess {
  source: string;
  dataClasses?: string[];
  recordCount: number;
  subjectIds?: string[];
  /** Where the data went (a host, a channel such as `email:external`). */
  destination?: string;
  /** The intent the access serves, when the agent knows it already. */
  intentId?: string;
}
/** An escalated intent's review: its task, route and SLA (deadline and timeout outcome) when known. */
export type { PendingReview };

export interface AgentOpsClientOptions {
  /** ingest's base URL, e.g. http://127.0.0.1:3001 */
  baseUrl: string;
  /** The agent's API key (`aok_…`). */
  apiKey: string;
  /** The longest `guard`/`propose` waits for a decision, escalations to humans included. Default 60 s. */
  maxWaitMs?: number;
  /**
   * Attempts for one HTTP call on network errors, 5xx and 429 (never sooner than `Retry-After`),
   * with the same idempotency key. Default 3.
   */
  attempts?: number;
  /** Per-request timeout. Default 10 s (a waiting call adds its own wait). */
  requestTimeoutMs?: number;
  /**
   * First interval between polls while a human decides; it doubles up to `maxPollIntervalMs`, and
   * never polls sooner than the server's `Retry-After`. Default 500 ms.
   */
  pollIntervalMs?: number;
  /** Longest interval between polls. Default 5 s. */
  maxPollIntervalMs?: number;
  /** Where non-fatal problems go (a failed outcome report, a dropped control stream). */
  onWarning?: (message: string, error?: unknown) => void;
  fetch?: typeof fetch;
}

export interface ProposeOptions {
  /** Reuse to make a retried proposal the same intent (the SDK generates one otherwise). */
  idempotencyKey?: string;
  maxWaitMs?: number;
  /** Called (once per new detail) while the intent is pending a human's review. */
  onPendingReview?: (review: PendingReview) => void;
}

export interface ExecutionContext {
  /** The parameters to act with: the decision's modified params when it modified them. */
  params: Record<string, unknown>;
  decision: Decision;
  intentId: string;
  /** Aborted when the agent's cohort is halted while the work runs. */
  signal: AbortSignal;
}

export interface GuardOptions<T> extends ProposeOptions {
  /** What was actually executed, for verification; defaults to the params the agent was given. */
  executedParams?: (result: T, ctx: ExecutionContext) => Record<string, unknown>;
  /** The outcome's `result` field. */
  resultSummary?: (result: T) => Record<string, unknown>;
}

export interface Halt {
  switchId: string;
  reason: string;
  actor: string;
  selector: { action?: string } & Record<string, unknown>;
}

/** A product's approved facts as ingest answers them (libs/knowledge `ProductFact`), with the version read. */
export interface ProductFacts {
  tenantId: string;
  kbVersion: number;
  product: { sku: string; name: string; [field: string]: unknown };
  freshness: Record<
    'price' | 'stock',
    { asOf: string; ageSeconds: number; limitSeconds?: number; stale: boolean }
  >;
}

/** The tenant's current knowledge version: service policies, brand voice, approved claims, freshness limits. */
export interface KnowledgeSummary {
  tenantId: string;
  kbVersion: number;
  activatedAt: string;
  asOf: string;
  products: number;
  policies: Record<string, unknown>;
  voice: Record<string, unknown>;
  approvedClaims: { id: string; text: string }[];
  freshnessLimits: Record<string, number | null>;
}

export interface ApprovedCopyAnswer {
  tenantId: string;
  kbVersion: number;
  copy: { id: string; text: string; campaign?: string; sku?: string; validFrom?: string; validTo?: string }[];
}

/**
 * The `dataUsed` entry an intent carries for facts read from the knowledge base, so that a policy
 * can escalate an intent built on a superseded version: `dataUsed: [knowledgeCitation(facts)]`.
 */
export function knowledgeCitation(
  answer: { kbVersion: number },
  dataClasses: string[] = ['product'],
): { source: string; kbVersion: number; dataClasses: string[] } {
  return { source: 'knowledge', kbVersion: answer.kbVersion, dataClasses };
}

/** A variant of a rollout: its name and what it runs (any combination). */
export interface RolloutVariantSpec {
  name: string;
  agentVersion?: string;
  promptId?: string;
  framework?: string;
}

/** A rollout as the control stream sends it (`event: rollout`): enough to assign units locally. */
export interface RolloutConfig {
  rolloutId: string;
  key: string;
  unitPath: string;
  salt: string;
  baseline: RolloutVariantSpec;
  candidates: RolloutVariantSpec[];
  status: string;
  weights: Record<string, number>;
  generation: number;
}

/** What `variant(rolloutKey, unit)` answers: the arm to run; put `{ rollout, name }` in the intent. */
export interface VariantAssignment extends RolloutVariantSpec {
  rollout: string;
}
