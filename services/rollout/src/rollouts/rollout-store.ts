import { EventEnvelope, IntentProposedV1, RolloutTransitionedV1 } from '@agentops/contracts';
import { RolloutState, RolloutStats } from '@agentops/rollout-analysis';
import { KEYSET_TIME, Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { z } from 'zod';

/** A rolled-back candidate whose cohort a kill switch halts; `killSwitchId` once it is flipped. */
export interface CandidateHalt {
  variant: string;
  killSwitchId: string | null;
  /** Why no switch can be flipped (the candidate shares the baseline's agent version), if so. */
  skipped?: string;
  /**
   * Who holds the flip (`generation:<n>`: the change that rolled back, which flips right after
   * its commit; `catch-up:<id>`: a tick's catch-up, on any instance) and until when. The others
   * leave the halt alone, so a candidate gets one switch, not one per caller; a holder that died
   * lets the lease lapse and the next catch-up flips.
   */
  flippingBy?: string;
  flippingUntil?: string;
}

/** One rollout as stored: the document as applied, its salt, state and accumulators. */
export interface RolloutRecord {
  id: string;
  tenantId: string;
  key: string;
  /** The `AgentRollout` as applied (JSON), re-validated into a plan when read. */
  document: unknown;
  salt: string;
  state: RolloutState;
  stats: RolloutStats;
  /** Grows with every change; followers of the compacted topic keep the newest. */
  generation: number;
  halts: CandidateHalt[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** The arm and stratum an intent ran under in one rollout. */
export interface RolloutIntentRow {
  intentId: string;
  rolloutId: string;
  arm: string;
  stratum: number;
  proposedAt: string;
}

/** Inside one rollout's transaction: events counted once per rollout. */
export interface RolloutTransaction {
  /**
   * Claims each id for this rollout; returns those claimed now (offered for the first time), not
   * those a redelivery or an earlier batch already claimed. Rolled back with the transaction.
   */
  claimEvents(eventIds: string[]): Promise<Set<string>>;
}

/** A fact whose intent had not been read yet when the fact was. */
export interface PendingFact {
  intentId: string;
  event: EventEnvelope;
}

/** What a change of one rollout writes: the new row and the transitions it announces. */
export interface RolloutChange<T> {
  record?: RolloutRecord;
  transitions?: EventEnvelope<RolloutTransitionedV1>[];
  result: T;
}

export type UnitPathEvidence = 'seen' | 'unseen' | 'no_traffic';

/** Rollouts newest first: (created_at, id) descending, to the millisecond. */
export const ROLLOUTS_KEYSET = new Keyset(z.tuple([KEYSET_TIME, z.string().uuid()]));

/**
 * Rollouts, their transitions, intents and counted events: the only place that speaks SQL about
 * them (PgRolloutStore), with an in-memory twin for the use cases' unit specs.
 */
export abstract class RolloutStore {
  /** Inserts a new rollout with its `applied` transition; a live key already taken is a conflict. */
  abstract insert(record: RolloutRecord, transition: EventEnvelope<RolloutTransitionedV1>): Promise<void>;
  abstract find(id: string): Promise<RolloutRecord | null>;
  /** The newest rollout with this key, in `tenantId` (undefined: in any tenant). */
  abstract findByKey(tenantId: string | undefined, key: string): Promise<RolloutRecord | null>;
  /** A page of rollouts, newest first; `tenantId` undefined: every tenant (platform operator). */
  abstract list(tenantId: string | undefined, page: PageRequest): Promise<Page<RolloutRecord>>;
  /** Running and paused rollouts, of one tenant or all. */
  abstract live(tenantId?: string): Promise<RolloutRecord[]>;
  /** Rollouts with a halt not yet flipped. */
  abstract pendingHalts(): Promise<RolloutRecord[]>;
  /**
   * Changes one rollout under a row lock: `change` sees the current row and returns the new one
   * and the transitions to record, all written in one transaction. Null when there is no such rollout.
   */
  abstract mutate<T>(
    id: string,
    change: (current: RolloutRecord, tx: RolloutTransaction) => Promise<RolloutChange<T>>,
  ): Promise<T | null>;
  abstract transitions(rolloutId: string): Promise<EventEnvelope<RolloutTransitionedV1>[]>;
  abstract unpublishedTransitions(): Promise<EventEnvelope<RolloutTransitionedV1>[]>;
  abstract markPublished(eventIds: string[]): Promise<void>;

  /** Records which arm each intent ran under, in one statement; rows already recorded stay as they were. */
  abstract recordIntents(rows: RolloutIntentRow[]): Promise<void>;
  /** The rows of these intents, in every rollout they ran under. */
  abstract intentRows(intentIds: string[]): Promise<RolloutIntentRow[]>;

  /** Facts whose intent is not known yet; kept until the intent arrives or they age out. */
  abstract holdPendingFacts(facts: PendingFact[], receivedAt: string): Promise<void>;
  /** The facts held for these intents (left in place until `dropPendingFacts`, once counted). */
  abstract pendingFacts(intentIds: string[]): Promise<PendingFact[]>;
  abstract dropPendingFacts(eventIds: string[]): Promise<void>;
  abstract dropPendingFactsBefore(before: string): Promise<number>;

  /** Notes that the tenant's intents carry these paths (one statement per tenant and batch). */
  abstract noteUnitPaths(tenantId: string, paths: string[], at: string): Promise<void>;
  abstract unitPathEvidence(tenantId: string, path: string): Promise<UnitPathEvidence>;
}

/** The unit paths an intent carries: `target.id`, `target.type` and every top-level `params.<key>`. */
export function unitPathsOf(intent: Pick<IntentProposedV1, 'params' | 'target'>): string[] {
  const paths = ['target.id', 'target.type'];
  for (const key of Object.keys(intent.params ?? {}).slice(0, 50))
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) paths.push(`params.${key}`);
  return paths;
}

/** The path whose presence the unit check looks for: nested paths by their top-level field. */
export function unitPathRoot(path: string): string {
  return path.split('.').slice(0, 2).join('.');
}
