import type { DataAccessReport } from '@agentops/contracts';
import { dataClassGranted, dataClassWithin, effectiveScopes } from '@agentops/policy';
import {
  AccessStep,
  CompiledFlowRule,
  DEFAULT_FLOW_RULES,
  FlowVerdict,
  PendingEgress,
  accessStepOf,
  compileFlowRules,
  judgeEgress,
} from './flow-rules';
import { HyperLogLog } from './hyperloglog';
import {
  RatioBaseline,
  RobustWindow,
  cusumStep,
  effectiveVariance,
  emptyRatioBaseline,
  emptyRobustWindow,
  learnRatio,
  pushRobust,
  ratioZ,
  robustSummary,
} from './stats';
import {
  AccessAnomaly,
  AccessDetector,
  AccessFeature,
  AccessSeverity,
  AgentRef,
  BaselineSource,
  RATIO_FEATURES,
  RatioFeature,
} from './types';

export interface AccessMonitorConfig {
  /** Width of one feature bucket (tumbling, aligned to the epoch). */
  bucketMs: number;
  /** EWMA weight of one intent in the per-intent baselines (0.002: half-life ≈ 350 intents). */
  alpha: number;
  /** Intents of its own before an agent is judged against itself; until then, its peers' baseline. */
  minOwnIntents: number;
  /** Intents a cohort (role, version; else role) must have taught its baseline before it judges. */
  minCohortIntents: number;
  /** EWMA z-scores of a closed bucket: medium and high. */
  zMedium: number;
  zHigh: number;
  /** Checked on every read over the open and the previous bucket: z and the least excess (records or customers). */
  inflightZ: number;
  inflightMinExcess: number;
  /** Median/MAD z over the agent's last `robustWindow` buckets, from `robustMinBuckets` on. */
  robustWindow: number;
  robustMinBuckets: number;
  robustZ: number;
  /** CUSUM reference (σ per intent; half the shift to catch) and decision threshold. */
  cusumK: number;
  cusumH: number;
  /** An hour holding less than this share of the baseline's records is off-hours (after `offHoursMinMass` records). */
  offHoursShare: number;
  offHoursMinMass: number;
  /** Intents proposed in a row with no read reported, by an agent that reads for its intents. */
  silenceIntents: number;
  /** One anomaly per agent, feature and detector within this span. */
  cooldownMs: number;
  /** Steps kept per agent for the flow rules (and no older than the longest rule's window). */
  historyMax: number;
  /** First-seen sets are capped: past the cap an agent learns no new sources (and flags none). */
  maxKnown: number;
  /** Hard ceilings on records per bucket by data class (a class and its subclasses). */
  recordCeilings: Record<string, number>;
}

export const DEFAULT_ACCESS_CONFIG: AccessMonitorConfig = {
  bucketMs: 60_000,
  alpha: 0.002,
  minOwnIntents: 150,
  minCohortIntents: 300,
  zMedium: 7,
  zHigh: 10,
  inflightZ: 10,
  inflightMinExcess: 40,
  robustWindow: 60,
  robustMinBuckets: 20,
  robustZ: 10,
  cusumK: 0.3,
  cusumH: 25,
  offHoursShare: 0.002,
  offHoursMinMass: 2000,
  silenceIntents: 30,
  cooldownMs: 15 * 60_000,
  historyMax: 500,
  maxKnown: 256,
  recordCeilings: { customer: 1500 },
};

type Counts = Record<RatioFeature, number>;
const zeroCounts = (): Counts => ({ records: 0, subjects: 0, reads: 0 });

interface OpenBucket {
  index: number;
  counts: Counts;
  intents: number;
  egress: number;
  subjects: HyperLogLog;
  byClass: Map<string, number>;
}

interface ClosedBucket {
  index: number;
  counts: Counts;
  intents: number;
}

interface Baselines {
  ratios: Record<RatioFeature, RatioBaseline>;
  hours: number[];
  classes: Set<string>;
  sources: Set<string>;
  destinations: Set<string>;
}

interface AgentState {
  ref: AgentRef;
  own: Baselines;
  open: OpenBucket;
  prev?: ClosedBucket;
  /** Reads of a bucket with no intent, carried into the next bucket (the intent usually follows). */
  carry?: ClosedBucket;
  robust: Record<RatioFeature, RobustWindow>;
  cusum: Record<RatioFeature, number>;
  intentsSinceRead: number;
  history: AccessStep[];
  lastAlert: Record<string, number>;
}

const emptyBaselines = (): Baselines => ({
  ratios: { records: emptyRatioBaseline(), subjects: emptyRatioBaseline(), reads: emptyRatioBaseline() },
  hours: new Array<number>(24).fill(0),
  classes: new Set(),
  sources: new Set(),
  destinations: new Set(),
});

export interface MonitorOptions {
  config?: Partial<AccessMonitorConfig>;
  /** Flow rules (default: DEFAULT_FLOW_RULES), compiled once. */
  flowRules?: readonly CompiledFlowRule[];
  /** Egress allow-list per tenant. */
  allowedDestinations?: Record<string, readonly string[]>;
}

/**
 * Per-agent and per-cohort data-access monitoring (issue #17): features in tumbling buckets,
 * normalised per business intent; EWMA, median/MAD and CUSUM detectors against the agent's own
 * baseline or, until it has one, its peers' (role and version; else role); ceilings from scopes;
 * flow rules on a pending egress. Pure: time comes in with every event, nothing is read or written
 * outside; `snapshot()`/`AccessMonitor.restore()` carry the whole state across a restart.
 */
export class AccessMonitor {
  readonly config: AccessMonitorConfig;
  private readonly rules: readonly CompiledFlowRule[];
  private readonly historyMs: number;
  private readonly agents = new Map<string, AgentState>();
  private readonly cohorts = new Map<string, Baselines>();
  private allowed: Record<string, readonly string[]>;

  constructor(options: MonitorOptions = {}) {
    this.config = { ...DEFAULT_ACCESS_CONFIG, ...options.config };
    this.rules = options.flowRules ?? compileFlowRules(DEFAULT_FLOW_RULES);
    this.historyMs = Math.max(0, ...this.rules.map((r) => r.windowMs));
    this.allowed = { ...options.allowedDestinations };
  }

  setAllowedDestinations(tenantId: string, destinations: readonly string[]): void {
    this.allowed[tenantId] = [...destinations];
  }

  /** How far back the flow rules look (the longest rule's window): the history kept per agent. */
  get historyWindowMs(): number {
    return this.historyMs;
  }

  /** The agent's steps the flow rules see (oldest first; empty for an agent not held here). */
  historyOf(agentId: string): readonly AccessStep[] {
    return this.agents.get(agentId)?.history ?? [];
  }

  agentCount(): number {
    return this.agents.size;
  }

  /** A business intent the agent proposed: the denominator of every per-intent feature. */
  observeIntent(ref: AgentRef, at: number, intent: { action: string }): AccessAnomaly[] {
    const out: AccessAnomaly[] = [];
    const a = this.agentAt(ref, at, out);
    a.open.intents++;
    a.intentsSinceRead++;
    this.remember(a, {
      kind: 'intent',
      at,
      source: '',
      dataClasses: [],
      records: 0,
      destination: '',
      action: intent.action,
    });
    const base = a.own.ratios.records;
    if (
      a.intentsSinceRead >= this.config.silenceIntents &&
      base.intents >= this.config.minOwnIntents &&
      base.mean >= 0.5
    ) {
      this.raise(a, out, {
        feature: 'records',
        detector: 'silence',
        severity: 'medium',
        observed: 0,
        baseline: a.intentsSinceRead * base.mean,
        deviation: a.intentsSinceRead,
        baselineFrom: 'agent',
        window: { startMs: at, endMs: at, intents: a.intentsSinceRead },
        at,
        message: `${a.intentsSinceRead} intents proposed with no data access reported; this agent reads ${round(base.mean)} records per intent`,
      });
    }
    return out;
  }

  /** A read or an egress the agent's SDK reported (an egress after it ran). */
  observeAccess(ref: AgentRef, at: number, report: DataAccessReport): AccessAnomaly[] {
    const out: AccessAnomaly[] = [];
    const a = this.agentAt(ref, at, out);
    const cohort = this.cohortOf(ref);
    const mature = this.peerBaseline(a) !== undefined;
    this.remember(a, accessStepOf(report, at));
    if (report.kind === 'egress') {
      a.open.egress++;
      const d = report.destination ?? '';
      if (!a.own.destinations.has(d) && !cohort.destinations.has(d) && mature)
        this.raise(
          a,
          out,
          this.sighting(a, at, 'egress_destinations', `first egress to ${d} by this agent or its peers`),
        );
      learnKnown(a.own.destinations, d, this.config.maxKnown);
      learnKnown(cohort.destinations, d, this.config.maxKnown);
      return out;
    }
    a.intentsSinceRead = 0;
    const open = a.open;
    open.counts.reads++;
    open.counts.records += report.records;
    for (const s of report.subjectIds) open.subjects.add(s);
    open.counts.subjects = open.subjects.isEmpty() ? 0 : open.subjects.count();
    const scopes = effectiveScopes(a.ref);
    for (const cls of report.dataClasses) {
      if (!dataClassGranted(scopes, cls))
        this.raise(a, out, {
          feature: 'data_classes',
          detector: 'scope',
          severity: 'high',
          observed: report.records,
          baseline: 0,
          deviation: 1,
          baselineFrom: 'scope',
          window: { startMs: at, endMs: at, intents: open.intents },
          at,
          message: `read ${report.records} records of ${cls}, outside the agent's scopes (${(scopes.dataClasses ?? []).join(', ')})`,
        });
      else if (!a.own.classes.has(cls) && !cohort.classes.has(cls) && mature)
        this.raise(
          a,
          out,
          this.sighting(a, at, 'data_classes', `first read of ${cls} by this agent or its peers`),
        );
      learnKnown(a.own.classes, cls, this.config.maxKnown);
      learnKnown(cohort.classes, cls, this.config.maxKnown);
      open.byClass.set(cls, (open.byClass.get(cls) ?? 0) + report.records);
    }
    if (!a.own.sources.has(report.source) && !cohort.sources.has(report.source) && mature)
      this.raise(a, out, {
        ...this.sighting(a, at, 'sources', `first read from ${report.source} by this agent or its peers`),
        severity: 'low',
      });
    learnKnown(a.own.sources, report.source, this.config.maxKnown);
    learnKnown(cohort.sources, report.source, this.config.maxKnown);
    this.checkCeilings(a, at, out);
    this.checkInflight(a, at, out);
    return out;
  }

  /**
   * Judges an egress the agent is about to run (an outbound message, an export) against the flow
   * rules over its recent history. `deny` comes with a high anomaly; the egress must not run.
   */
  checkEgress(
    ref: AgentRef,
    at: number,
    egress: PendingEgress,
  ): FlowVerdict & { anomalies: AccessAnomaly[] } {
    const out: AccessAnomaly[] = [];
    const a = this.agentAt(ref, at, out);
    const verdict = judgeEgress(
      this.rules,
      a.history,
      egress,
      {
        agent: { id: ref.id, tenantId: ref.tenantId, role: ref.role, version: ref.version },
        allowedDestinations: this.allowed[ref.tenantId] ?? [],
      },
      at,
    );
    if (verdict.verdict === 'deny' && verdict.rule) {
      out.push(
        this.anomaly(a, {
          feature: 'egress_destinations',
          detector: 'flow_rule',
          severity: 'high',
          observed: verdict.rule.evidence,
          baseline: 0,
          deviation: 1,
          baselineFrom: 'rule',
          window: { ...verdict.rule.window, intents: a.open.intents },
          at,
          message: `egress to ${egress.destination} denied by ${verdict.rule.id}: ${verdict.rule.message}`,
        }),
      );
    }
    return { ...verdict, anomalies: out };
  }

  /**
   * Closes every bucket that ended before `now` (an idle agent's last bucket is judged too), of
   * the agents `select` picks (all by default: a service persisting per agent ticks one at a time).
   */
  tick(now: number, select: (ref: AgentRef) => boolean = () => true): AccessAnomaly[] {
    const out: AccessAnomaly[] = [];
    const index = Math.floor(now / this.config.bucketMs);
    for (const a of this.agents.values()) if (a.open.index < index && select(a.ref)) this.roll(a, index, out);
    return out;
  }

  /** The agents whose open bucket ended before `now`: what `tick(now)` would close. */
  dueAgents(now: number): AgentRef[] {
    const index = Math.floor(now / this.config.bucketMs);
    return [...this.agents.values()].filter((a) => a.open.index < index).map((a) => ({ ...a.ref }));
  }

  /** The baseline an agent is judged against now, for the console and CLI ("baseline vs now"). */
  baselineOf(agentId: string):
    | {
        from: BaselineSource;
        perIntent: Record<RatioFeature, { mean: number; sd: number }>;
        open: Counts & { intents: number };
      }
    | undefined {
    const a = this.agents.get(agentId);
    if (!a) return undefined;
    const base = this.peerBaseline(a);
    if (!base) return undefined;
    const perIntent = Object.fromEntries(
      RATIO_FEATURES.map((f) => [
        f,
        { mean: base.ratios[f].mean, sd: Math.sqrt(effectiveVariance(base.ratios[f])) },
      ]),
    ) as Record<RatioFeature, { mean: number; sd: number }>;
    return { from: base.from, perIntent, open: { ...a.open.counts, intents: a.open.intents } };
  }

  // ---- internals ----------------------------------------------------------------------------

  private agentAt(ref: AgentRef, at: number, out: AccessAnomaly[]): AgentState {
    let a = this.agents.get(ref.id);
    const index = Math.floor(at / this.config.bucketMs);
    if (!a) {
      a = {
        ref,
        own: emptyBaselines(),
        open: this.openBucket(index),
        robust: { records: emptyRobustWindow(), subjects: emptyRobustWindow(), reads: emptyRobustWindow() },
        cusum: zeroCounts(),
        intentsSinceRead: 0,
        history: [],
        lastAlert: {},
      };
      this.agents.set(ref.id, a);
      return a;
    }
    a.ref = ref;
    if (index > a.open.index) this.roll(a, index, out);
    return a;
  }

  private openBucket(index: number): OpenBucket {
    return {
      index,
      counts: zeroCounts(),
      intents: 0,
      egress: 0,
      subjects: new HyperLogLog(10),
      byClass: new Map(),
    };
  }

  private cohortKeys(ref: AgentRef): [string, string] {
    return [`${ref.tenantId}/${ref.role}/${ref.version}`, `${ref.tenantId}/${ref.role}`];
  }

  private cohortOf(ref: AgentRef, level: 0 | 1 = 0): Baselines {
    const key = this.cohortKeys(ref)[level];
    let c = this.cohorts.get(key);
    if (!c) {
      c = emptyBaselines();
      this.cohorts.set(key, c);
    }
    return c;
  }

  /** Own history once it is long enough; else the cohort (role, version); else the role. */
  private peerBaseline(a: AgentState): (Baselines & { from: BaselineSource }) | undefined {
    if (a.own.ratios.records.intents >= this.config.minOwnIntents) return { ...a.own, from: 'agent' };
    const cohort = this.cohortOf(a.ref, 0);
    if (cohort.ratios.records.intents >= this.config.minCohortIntents) return { ...cohort, from: 'cohort' };
    const role = this.cohortOf(a.ref, 1);
    if (role.ratios.records.intents >= this.config.minCohortIntents) return { ...role, from: 'role' };
    return undefined;
  }

  private remember(a: AgentState, step: AccessStep): void {
    const h = a.history;
    h.push(step);
    let drop = 0;
    while (
      drop < h.length &&
      (h.length - drop > this.config.historyMax || step.at - h[drop].at > this.historyMs)
    )
      drop++;
    if (drop > 0) h.splice(0, drop);
  }

  /** Closes the open bucket and opens `index`; judges the closed one. */
  private roll(a: AgentState, index: number, out: AccessAnomaly[]): void {
    const open = a.open;
    const closed: ClosedBucket = { index: open.index, counts: { ...open.counts }, intents: open.intents };
    a.open = this.openBucket(index);
    const empty = closed.intents === 0 && closed.counts.reads === 0;
    const judged = empty ? undefined : this.judgeClosed(a, closed, out);
    // The previous bucket for the in-flight view; a carried bucket is counted as the carry instead.
    a.prev = index === closed.index + 1 && judged && !a.carry ? judged : undefined;
    if (a.carry && index > closed.index + 1) {
      // Nothing followed the carried reads: judge them on their own (as one intent) now.
      const carried = a.carry;
      a.carry = undefined;
      this.judgeClosed(a, { ...carried, index: closed.index }, out, carried.index);
    }
  }

  /** Judges a closed bucket; returns what the in-flight view keeps of it (with a merged carry). */
  private judgeClosed(
    a: AgentState,
    bucket: ClosedBucket,
    out: AccessAnomaly[],
    carriedFrom?: number,
  ): ClosedBucket | undefined {
    const c = this.config;
    // Reads with no intent in their bucket usually belong to the intent of the next one.
    let counts = bucket.counts;
    let intents = bucket.intents;
    let startIndex = carriedFrom ?? bucket.index;
    if (a.carry) {
      counts = addCounts(a.carry.counts, counts);
      intents += a.carry.intents;
      startIndex = a.carry.index;
      a.carry = undefined;
    } else if (intents === 0 && carriedFrom === undefined) {
      a.carry = bucket;
      return undefined;
    }
    const judged: ClosedBucket = { index: bucket.index, counts, intents };
    const window = { startMs: startIndex * c.bucketMs, endMs: (bucket.index + 1) * c.bucketMs, intents };
    const at = window.endMs;
    const base = this.peerBaseline(a);
    let flagged = false;
    for (const f of RATIO_FEATURES) {
      const v = counts[f];
      if (base) {
        const b = base.ratios[f];
        // One intent of allowance: the reads of an intent proposed just after the bucket closed.
        const z = ratioZ(b, v, intents + 1);
        const expected = (intents + 1) * b.mean;
        if (z >= c.zMedium) {
          flagged = true;
          this.raise(a, out, {
            feature: f,
            detector: 'ewma',
            severity: z >= c.zHigh ? 'high' : 'medium',
            observed: v,
            baseline: expected,
            deviation: z,
            baselineFrom: base.from,
            window,
            at,
            message: `${f} ${round(v)} over ${intents} intents, expected ${round(expected)} (z ${round(z)})`,
          });
        }
        // Drift is judged against the agent's own history only: peers differ by more than a leak.
        a.cusum[f] = base.from === 'agent' ? cusumStep(a.cusum[f], b, v, intents, c.cusumK) : 0;
        if (a.cusum[f] >= c.cusumH) {
          flagged = true;
          this.raise(a, out, {
            feature: f,
            detector: 'cusum',
            severity: a.cusum[f] >= 2 * c.cusumH ? 'high' : 'medium',
            observed: v / Math.max(intents, 1),
            baseline: b.mean,
            deviation: a.cusum[f],
            baselineFrom: base.from,
            window,
            at,
            message: `${f} per intent drifted above ${round(b.mean)}: CUSUM ${round(a.cusum[f])} ≥ ${a.cusum[f] >= 2 * c.cusumH ? 2 * c.cusumH : c.cusumH}`,
          });
          // A drift that goes on past the medium keeps accumulating (baselines do not learn
          // meanwhile) until it is high — a leak that persists is contained, not only noted;
          // reset once it is.
          if (a.cusum[f] >= 2 * c.cusumH) a.cusum[f] = 0;
        }
      }
      // Median/MAD of the agent's per-intent rates, with the same one-intent allowance.
      const w = a.robust[f];
      if (w.values.length >= c.robustMinBuckets) {
        const summary = robustSummary(w);
        const n = intents + 1;
        const rate = v / Math.max(intents, 1);
        // Floored at a Poisson count's spread: integer counts often have a MAD of 0.
        const scale = Math.max(summary.scale, Math.sqrt(Math.max(summary.median, 1)));
        const rz = (v - n * summary.median) / (scale * Math.sqrt(n));
        if (rz >= c.robustZ) {
          flagged = true;
          this.raise(a, out, {
            feature: f,
            detector: 'robust',
            severity: 'medium',
            observed: rate,
            baseline: summary.median,
            deviation: rz,
            baselineFrom: 'agent',
            window,
            at,
            message: `${f} per intent ${round(rate)} against a median of ${round(summary.median)} over the last ${w.values.length} buckets (robust z ${round(rz)})`,
          });
        }
      }
    }
    const hour = Math.floor((bucket.index * c.bucketMs) / 3_600_000) % 24;
    // Hours are judged against the cohort's profile: an agent's own covers only the hours it has lived.
    const profile = base ? this.hourProfile(a) : undefined;
    const mass = profile ? profile.reduce((s, x) => s + x, 0) : 0;
    if (
      profile &&
      counts.records > 0 &&
      mass >= c.offHoursMinMass &&
      profile[hour] / mass < c.offHoursShare
    ) {
      this.raise(a, out, {
        feature: 'time_of_day',
        detector: 'time_of_day',
        severity: 'low',
        observed: counts.records,
        baseline: profile[hour] / mass,
        deviation: mass > 0 ? profile[hour] / mass / c.offHoursShare : 0,
        baselineFrom: 'cohort',
        window,
        at,
        message: `${counts.records} records read at ${hour}:00 UTC, an hour with ${round((100 * profile[hour]) / mass)} % of the baseline's reads`,
      });
    }
    // Learn only from what looked normal, and not while a drift is accumulating.
    const drifting = RATIO_FEATURES.some((f) => a.cusum[f] > c.cusumH / 2);
    if (flagged || drifting) return judged;
    const cohorts = [this.cohortOf(a.ref, 0), this.cohortOf(a.ref, 1)];
    for (const f of RATIO_FEATURES) {
      learnRatio(a.own.ratios[f], counts[f], intents, c.alpha);
      for (const co of cohorts) learnRatio(co.ratios[f], counts[f], intents, c.alpha);
      if (intents > 0) pushRobust(a.robust[f], counts[f] / intents, c.robustWindow);
    }
    a.own.hours[hour] += counts.records;
    for (const co of cohorts) co.hours[hour] += counts.records;
    return judged;
  }

  private hourProfile(a: AgentState): number[] {
    const cohort = this.cohortOf(a.ref, 0);
    const mass = cohort.hours.reduce((x, y) => x + y, 0);
    return mass >= this.config.offHoursMinMass ? cohort.hours : this.cohortOf(a.ref, 1).hours;
  }

  private checkCeilings(a: AgentState, at: number, out: AccessAnomaly[]): void {
    for (const [cls, ceiling] of Object.entries(this.config.recordCeilings)) {
      let total = 0;
      for (const [read, n] of a.open.byClass) if (dataClassWithin(read, cls)) total += n;
      if (total > ceiling)
        this.raise(a, out, {
          feature: 'records',
          detector: 'ceiling',
          severity: 'high',
          observed: total,
          baseline: ceiling,
          deviation: total / ceiling,
          baselineFrom: 'scope',
          window: { startMs: a.open.index * this.config.bucketMs, endMs: at, intents: a.open.intents },
          at,
          message: `${total} records of ${cls} within one ${this.config.bucketMs / 1000} s bucket, over the ceiling of ${ceiling}`,
        });
    }
  }

  /** On every read: the open and the previous bucket together against the baseline. */
  private checkInflight(a: AgentState, at: number, out: AccessAnomaly[]): void {
    const base = this.peerBaseline(a);
    if (!base) return;
    const c = this.config;
    const intents = a.open.intents + (a.prev?.intents ?? 0) + (a.carry?.intents ?? 0);
    // One more intent than seen: the reads of an intent come before it is proposed.
    const n = intents + 1;
    for (const f of ['records', 'subjects'] as const) {
      const v = a.open.counts[f] + (a.prev?.counts[f] ?? 0) + (a.carry?.counts[f] ?? 0);
      const b = base.ratios[f];
      const expected = n * b.mean;
      const z = ratioZ(b, v, n);
      if (z >= c.inflightZ && v - expected >= c.inflightMinExcess) {
        const start = (a.carry?.index ?? a.prev?.index ?? a.open.index) * c.bucketMs;
        this.raise(a, out, {
          feature: f,
          detector: 'ewma',
          severity: 'high',
          observed: v,
          baseline: expected,
          deviation: z,
          baselineFrom: base.from,
          window: { startMs: start, endMs: at, intents },
          at,
          message: `${f} ${round(v)} since ${new Date(start).toISOString()} for ${intents} intents, expected ${round(expected)} (z ${round(z)})`,
        });
      }
    }
  }

  private sighting(
    a: AgentState,
    at: number,
    feature: AccessFeature,
    message: string,
  ): Omit<AccessAnomaly, 'agentId' | 'tenantId' | 'role' | 'version'> {
    return {
      feature,
      detector: 'first_seen',
      severity: 'medium',
      observed: 1,
      baseline: 0,
      deviation: 1,
      baselineFrom: 'cohort',
      window: { startMs: at, endMs: at, intents: a.open.intents },
      at,
      message,
    };
  }

  private anomaly(
    a: AgentState,
    body: Omit<AccessAnomaly, 'agentId' | 'tenantId' | 'role' | 'version'>,
  ): AccessAnomaly {
    return { agentId: a.ref.id, tenantId: a.ref.tenantId, role: a.ref.role, version: a.ref.version, ...body };
  }

  /** Emits unless the same agent, feature and detector alerted within the cooldown (a higher severity always passes). */
  private raise(
    a: AgentState,
    out: AccessAnomaly[],
    body: Omit<AccessAnomaly, 'agentId' | 'tenantId' | 'role' | 'version'>,
  ): void {
    const key = `${body.feature}:${body.detector}:${body.severity}`;
    const last = a.lastAlert[key];
    if (last !== undefined && body.at - last < this.config.cooldownMs) return;
    a.lastAlert[key] = body.at;
    out.push(this.anomaly(a, body));
  }

  // ---- snapshot -----------------------------------------------------------------------------

  /** The whole state as JSON-able data (sets as arrays, sketches as base64). */
  snapshot(): MonitorSnapshot {
    // A deep copy: the monitor goes on mutating its own state after the snapshot is taken.
    return structuredClone({
      version: 1,
      config: this.config,
      allowedDestinations: this.allowed,
      agents: [...this.agents.values()].map(agentToJson),
      cohorts: Object.fromEntries([...this.cohorts].map(([k, v]) => [k, baselinesToJson(v)])),
    }) as MonitorSnapshot;
  }

  /**
   * The state of the agents `select` picks, for handing them over on a rebalance (the partitions
   * an instance loses). Cohort baselines are not included: they stay with each instance.
   */
  exportAgents(select: (ref: AgentRef) => boolean): AgentSnapshot[] {
    return structuredClone([...this.agents.values()].filter((a) => select(a.ref)).map(agentToJson));
  }

  /** Takes over agents exported elsewhere (the partitions an instance gains); replaces same ids. */
  importAgents(agents: readonly AgentSnapshot[]): void {
    for (const s of structuredClone(agents)) this.agents.set(s.ref.id, agentFromJson(s));
  }

  /** Forgets the agents `select` picks (after exporting them); returns how many. */
  dropAgents(select: (ref: AgentRef) => boolean): number {
    let n = 0;
    for (const [id, a] of this.agents)
      if (select(a.ref)) {
        this.agents.delete(id);
        n++;
      }
    return n;
  }

  /** The cohort baselines as plain data, for persisting them beside the agents' own state. */
  exportCohorts(): Record<string, CohortBaselines> {
    return structuredClone(Object.fromEntries([...this.cohorts].map(([k, v]) => [k, baselinesToJson(v)])));
  }

  /** Takes cohort baselines persisted earlier (a restart); replaces those of the same cohort. */
  importCohorts(cohorts: Record<string, CohortBaselines>): void {
    for (const [k, v] of Object.entries(structuredClone(cohorts))) this.cohorts.set(k, baselinesFromJson(v));
  }

  /** Rebuilds a monitor from `snapshot()` (a JSON round trip included); refuses another version. */
  static restore(snapshot: MonitorSnapshot, options: Omit<MonitorOptions, 'config'> = {}): AccessMonitor {
    if (snapshot?.version !== 1)
      throw new RangeError(`unsupported access-monitor snapshot version ${String(snapshot?.version)}`);
    const m = new AccessMonitor({
      ...options,
      config: snapshot.config,
      allowedDestinations: { ...snapshot.allowedDestinations, ...options.allowedDestinations },
    });
    m.importAgents(snapshot.agents);
    for (const [k, v] of Object.entries(snapshot.cohorts)) m.cohorts.set(k, baselinesFromJson(v));
    return m;
  }
}

export type CohortBaselines = BaselinesJson;

interface BaselinesJson {
  ratios: Record<RatioFeature, RatioBaseline>;
  hours: number[];
  classes: string[];
  sources: string[];
  destinations: string[];
}

export interface MonitorSnapshot {
  version: 1;
  config: AccessMonitorConfig;
  allowedDestinations: Record<string, readonly string[]>;
  agents: AgentSnapshot[];
  cohorts: Record<string, BaselinesJson>;
}

/** One agent's state as plain data (what a rebalance hands over). */
export interface AgentSnapshot {
  ref: AgentRef;
  own: BaselinesJson;
  open: {
    index: number;
    counts: Counts;
    intents: number;
    egress: number;
    subjects: string;
    byClass: Record<string, number>;
  };
  prev?: ClosedBucket;
  carry?: ClosedBucket;
  robust: Record<RatioFeature, RobustWindow>;
  cusum: Counts;
  intentsSinceRead: number;
  history: AccessStep[];
  lastAlert: Record<string, number>;
}

/** The plain fields travel as they are; the baselines' sets and the open bucket's sketch and map are converted. */
function agentToJson(a: AgentState): AgentSnapshot {
  const { own, open, ...plain } = a;
  return {
    ...plain,
    own: baselinesToJson(own),
    open: { ...open, subjects: open.subjects.serialise(), byClass: Object.fromEntries(open.byClass) },
  };
}

function agentFromJson(s: AgentSnapshot): AgentState {
  const { own, open, ...plain } = s;
  return {
    ...plain,
    own: baselinesFromJson(own),
    open: {
      ...open,
      subjects: HyperLogLog.parse(open.subjects),
      byClass: new Map(Object.entries(open.byClass)),
    },
  };
}

function baselinesToJson(b: Baselines): BaselinesJson {
  return {
    ratios: b.ratios,
    hours: b.hours,
    classes: [...b.classes],
    sources: [...b.sources],
    destinations: [...b.destinations],
  };
}

function baselinesFromJson(b: BaselinesJson): Baselines {
  return {
    ratios: b.ratios,
    hours: b.hours,
    classes: new Set(b.classes),
    sources: new Set(b.sources),
    destinations: new Set(b.destinations),
  };
}

function addCounts(a: Counts, b: Counts): Counts {
  return { records: a.records + b.records, subjects: a.subjects + b.subjects, reads: a.reads + b.reads };
}

function learnKnown(set: Set<string>, value: string, cap: number): void {
  if (set.size < cap) set.add(value);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export type { AccessSeverity, AccessDetector };
