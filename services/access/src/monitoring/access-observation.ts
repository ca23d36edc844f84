import { AccessAnomaly, AccessMonitor, AgentRef, pendingEgressOf } from '@agentops/access-anomaly';
import {
  AccessAnomalyDetectedV1,
  EventEnvelope,
  EventTypes,
  IntentProposedV1,
  TelemetryRecordedV1,
} from '@agentops/contracts';
import { ConsumedEvent, MessageOrigin, createEvent, newEventId } from '@agentops/messaging';
import { Clock, EVENT_SOURCE, LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccessConfig } from '../config';
import { Containment } from '../containment/containment';
import { AccessStateStore, AgentAccessRow, AgentUpdate, AnomalyEnvelope } from './access-state-store';
import { FlowHistoryWriter } from './flow-history';

/** One event's part of a judgement: what it does to the monitor, given the row as it stands before it. */
type Judge = (
  monitor: AccessMonitor,
  at: number,
  row: Pick<AgentAccessRow, 'reportsAccess'>,
) => AccessAnomaly[];

/** One event of a batch, made ready to judge. */
interface Observed {
  ref: AgentRef;
  event: EventEnvelope;
  origin: MessageOrigin;
  /** Whether the event is the agent's own data-access report. */
  reportsAccess: boolean;
  judge: Judge;
}

/**
 * Use case: judges each agent's data access as its events arrive (issue #17), a batch at a time.
 * The monitor (`libs/access-anomaly`) holds the agents this instance owns in memory; the truth is
 * each agent's row, written with the offsets it has applied and the anomalies it raised. Per batch
 * (the chunks of one fetch, see observe), events are grouped by agent, every agent's row is locked and read
 * once, its events are applied in log order — the same verdicts as one at a time — and all rows and
 * anomalies are written in one transaction. A row newer than the memory's copy (the agent was
 * judged elsewhere after a rebalance) is loaded first; an event at or below the row's offset (a
 * redelivery) is skipped. One batch at a time per instance, the tick included, so the memory never
 * races the rows. After each batch the agents' recent steps are written for guardrail's flow rules,
 * and the anomalies are contained and published together. An egress intent is judged by the same
 * flow rules here (guardrail denies it; this raises the anomaly that contains the agent).
 */
@Injectable()
export class AccessObservation implements OnModuleInit {
  readonly monitor: AccessMonitor;
  /** The row version each agent's in-memory state is at. */
  private readonly loaded = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Chunks handed over and not judged yet (the next judgement takes them all). */
  private readonly gathered: {
    items: readonly ConsumedEvent[];
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  private readonly closeGraceMs: number;

  constructor(
    private readonly store: AccessStateStore,
    private readonly containment: Containment,
    private readonly flowHistory: FlowHistoryWriter,
    private readonly clock: Clock,
    @Inject(EVENT_SOURCE) private readonly source: string,
    @Inject(SERVICE_CONFIG) config: AccessConfig,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.closeGraceMs = config.ACCESS_CLOSE_GRACE_MS;
    this.monitor = new AccessMonitor({
      allowedDestinations: config.ACCESS_ALLOWED_DESTINATIONS,
      config: {
        bucketMs: config.ACCESS_BUCKET_MS,
        minOwnIntents: config.ACCESS_MIN_OWN_INTENTS,
        minCohortIntents: config.ACCESS_MIN_COHORT_INTENTS,
      },
    });
  }

  /** Cohort baselines saved by any instance before: a new agent is judged by its peers at once. */
  async onModuleInit(): Promise<void> {
    this.monitor.importCohorts(await this.store.loadCohorts());
  }

  /**
   * A chunk of one partition, in log order. Chunks of other partitions handed over meanwhile (the
   * same fetch: intents and telemetry of the same agents) are judged with it, each agent's events
   * merged by event time: the monitor counts reads and intents in buckets of event time, and two
   * topics judged one after the other would put an intent's read and the intent in different
   * buckets. Resolves once the chunk's rows are written (then history and containment, which are
   * retried elsewhere if they fail); rejects with nothing of it written and the memory's copies of
   * its agents dropped, so a retry starts from the rows.
   */
  observe(items: readonly ConsumedEvent[]): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.gathered.push({ items, resolve, reject }));
    if (this.gathered.length === 1) void this.exclusive(() => this.judgeGathered());
    return done;
  }

  private async judgeGathered(): Promise<void> {
    // One turn of the event loop: the fetch's other partitions reach observe() meanwhile.
    await new Promise((r) => setImmediate(r));
    const chunks = this.gathered.splice(0);
    try {
      await this.judgeEvents(chunks.flatMap((c) => c.items));
      chunks.forEach((c) => c.resolve());
    } catch (error) {
      if (chunks.length === 1) return chunks[0]!.reject(error);
      // Each chunk on its own: one that cannot be judged must not fail the others' partitions.
      for (const c of chunks) await this.judgeEvents(c.items).then(c.resolve, c.reject);
    }
  }

  private async judgeEvents(items: readonly ConsumedEvent[]): Promise<void> {
    const byAgent = new Map<string, Observed[][]>();
    const positions = new Map<string, Observed[]>();
    for (const { event, origin } of items) {
      const o = observedOf(event, origin);
      if (!o) continue;
      const key = `${o.ref.id}\u0000${origin.baseTopic}/${origin.partition}`;
      let run = positions.get(key);
      if (!run) {
        positions.set(key, (run = []));
        byAgent.set(o.ref.id, [...(byAgent.get(o.ref.id) ?? []), run]);
      }
      run.push(o);
    }
    if (byAgent.size === 0) return;
    const updates = await this.judge([...byAgent.keys()], (rows) =>
      [...byAgent].flatMap(([agentId, runs]) => {
        const next = this.applied(agentId, rows.get(agentId), mergedByTime(runs));
        return next ? [next] : [];
      }),
    );
    if (updates.length === 0) return;
    await this.writeHistory(updates.map((u) => u.row));
    await this.containment.contain(updates.flatMap((u) => u.anomalies));
  }

  /**
   * Closes the buckets that ended (an idle agent's included), saves the cohort baselines, and
   * retries the containment of anomalies stored at least `graceMs` ago but not published.
   */
  tick(graceMs: number): Promise<void> {
    return this.exclusive(async () => {
      const now = this.clock.now().getTime();
      // Buckets still receiving their last events in flight are left open a while.
      const closeBefore = now - this.closeGraceMs;
      const due = this.monitor.dueAgents(closeBefore);
      const updates = await this.judge(
        due.map((ref) => ref.id),
        (rows) =>
          due.flatMap((ref) => {
            const row = rows.get(ref.id);
            // Not ours any more (judged elsewhere since): forget it rather than write a stale copy.
            if (!row || row.seq !== this.loaded.get(ref.id)) {
              this.forget(ref.id);
              return [];
            }
            const found = this.monitor.tick(closeBefore, (r) => r.id === ref.id);
            return [
              this.written(
                ref,
                row,
                found.map((a) => this.envelope(a, undefined, now)),
              ),
            ];
          }),
      );
      await this.containment.contain(updates.flatMap((u) => u.anomalies));
      await this.store.saveCohorts(this.monitor.exportCohorts());
      await this.containment.catchUp(graceMs);
    });
  }

  /** One agent's events of a batch applied in order over its row; null when all were applied before. */
  private applied(
    agentId: string,
    row: AgentAccessRow | undefined,
    events: readonly Observed[],
  ): AgentUpdate | null {
    const offsets = { ...row?.offsets };
    let reportsAccess = row?.reportsAccess ?? false;
    const anomalies: AnomalyEnvelope[] = [];
    let fresh = false;
    for (const o of events) {
      const position = `${o.origin.baseTopic}/${o.origin.partition}`;
      const applied = offsets[position];
      if (applied !== undefined && BigInt(applied) >= BigInt(o.origin.offset)) continue;
      if (!fresh) this.adopt(agentId, row);
      fresh = true;
      const at = Date.parse(o.event.time);
      anomalies.push(
        ...o.judge(this.monitor, at, { reportsAccess }).map((a) => this.envelope(a, o.event, at)),
      );
      offsets[position] = o.origin.offset;
      reportsAccess ||= o.reportsAccess;
    }
    if (!fresh) return null;
    const next = this.written(events[0]!.ref, row, anomalies);
    next.row.offsets = offsets;
    next.row.reportsAccess = reportsAccess;
    return next;
  }

  /**
   * Best effort: the rows are committed already, so a redelivery would be skipped and could not
   * retry this; the agent's next batch writes its whole window again.
   */
  private async writeHistory(rows: readonly AgentAccessRow[]): Promise<void> {
    try {
      const ttl = this.monitor.historyWindowMs;
      await this.flowHistory.write(
        rows.map((r) => ({
          tenantId: r.tenantId,
          agentId: r.agentId,
          steps: this.monitor.historyOf(r.agentId),
        })),
        ttl,
      );
    } catch (err) {
      this.logger.warn(
        { err, agents: rows.length },
        "flow history not written; each agent's next batch rewrites it",
      );
    }
  }

  /** Runs one batch's row updates; on failure the memory's copies are dropped, so a retry starts from the rows. */
  private async judge(
    agentIds: readonly string[],
    judge: (rows: ReadonlyMap<string, AgentAccessRow>) => AgentUpdate[],
  ): Promise<AgentUpdate[]> {
    if (agentIds.length === 0) return [];
    try {
      const updates = await this.store.updateAgents(agentIds, judge);
      for (const u of updates) this.loaded.set(u.row.agentId, u.row.seq);
      return updates;
    } catch (error) {
      for (const id of agentIds) this.forget(id);
      throw error;
    }
  }

  /** Makes the memory hold the row's state (a new agent: none). */
  private adopt(agentId: string, row: AgentAccessRow | undefined): void {
    if (row && this.loaded.get(agentId) === row.seq) return;
    this.forget(agentId);
    if (row) {
      this.monitor.importAgents([row.state]);
      this.loaded.set(agentId, row.seq);
    }
  }

  private forget(agentId: string): void {
    this.monitor.dropAgents((ref) => ref.id === agentId);
    this.loaded.delete(agentId);
  }

  private written(ref: AgentRef, row: AgentAccessRow | undefined, anomalies: AnomalyEnvelope[]): AgentUpdate {
    const [state] = this.monitor.exportAgents((r) => r.id === ref.id);
    return {
      row: {
        agentId: ref.id,
        tenantId: ref.tenantId,
        seq: (row?.seq ?? 0) + 1,
        state: state!,
        offsets: { ...row?.offsets },
        reportsAccess: row?.reportsAccess ?? false,
      },
      anomalies,
    };
  }

  private envelope(a: AccessAnomaly, cause: EventEnvelope | undefined, at: number): AnomalyEnvelope {
    const anomalyId = newEventId();
    const data: AccessAnomalyDetectedV1 = {
      anomalyId,
      agentId: a.agentId,
      tenantId: a.tenantId,
      role: a.role,
      version: a.version,
      feature: a.feature,
      detector: a.detector,
      severity: a.severity,
      observed: a.observed,
      baseline: a.baseline,
      deviation: a.deviation,
      baselineFrom: a.baselineFrom,
      window: {
        start: new Date(a.window.startMs).toISOString(),
        end: new Date(a.window.endMs).toISOString(),
        intents: a.window.intents,
      },
      detectedAt: new Date(a.at).toISOString(),
      message: a.message.slice(0, 2000),
      ...(cause ? { causationEventId: cause.id } : {}),
    };
    return createEvent(EventTypes.AccessAnomalyDetected, data, {
      id: anomalyId,
      source: this.source,
      tenantid: a.tenantId,
      agentid: a.agentId,
      ...(cause ? { cause, correlationid: cause.correlationid } : {}),
      time: new Date(at),
    }) as AnomalyEnvelope;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * What an event does to its agent: a data-access report (telemetry with `access`; other telemetry
 * is not this service's), or an intent — the denominator of every per-intent feature, whose
 * `dataUsed` counts as reads for an agent that reports none of its own (else the same read would
 * count twice), and an egress intent (`params.destination`) is first judged by the flow rules over
 * the history before it. Anything else: undefined.
 */
function observedOf(event: EventEnvelope, origin: MessageOrigin): Observed | undefined {
  if (event.type === EventTypes.TelemetryRecorded) {
    const data = event.data as TelemetryRecordedV1;
    const { access, agent } = data;
    if (!access || !agent) return undefined;
    const ref: AgentRef = {
      id: data.agentId,
      tenantId: event.tenantid,
      role: agent.role,
      version: agent.version,
      ...(agent.scopes ? { scopes: agent.scopes } : {}),
    };
    return { ref, event, origin, reportsAccess: true, judge: (m, at) => m.observeAccess(ref, at, access) };
  }
  if (event.type !== EventTypes.IntentProposed) return undefined;
  const intent = event.data as IntentProposedV1;
  const ref: AgentRef = {
    id: intent.agent.id,
    tenantId: intent.agent.tenantId,
    role: intent.agent.role,
    version: intent.agent.version,
    ...(intent.agent.scopes ? { scopes: intent.agent.scopes } : {}),
  };
  const egress = pendingEgressOf(intent);
  const judge: Judge = (m, at, row) => {
    const out: AccessAnomaly[] = egress ? m.checkEgress(ref, at, egress).anomalies : [];
    if (!row.reportsAccess)
      for (const used of intent.dataUsed)
        out.push(
          ...m.observeAccess(ref, at, {
            kind: 'read',
            source: used.source,
            dataClasses: used.dataClasses,
            records: used.records ?? 0,
            subjectIds: [],
          }),
        );
    out.push(...m.observeIntent(ref, at, { action: intent.action }));
    return out;
  };
  return { ref, event, origin, reportsAccess: false, judge };
}

/**
 * One agent's events of several partitions as one sequence by event time, each partition's own in
 * log order (a redelivery check compares offsets per partition, so those never swap).
 */
function mergedByTime(runs: readonly Observed[][]): Observed[] {
  if (runs.length === 1) return runs[0]!;
  const heads = runs.map(() => 0);
  const out: Observed[] = [];
  for (;;) {
    let pick = -1;
    for (let i = 0; i < runs.length; i++) {
      const head = runs[i]![heads[i]!];
      if (
        head &&
        (pick < 0 || Date.parse(head.event.time) < Date.parse(runs[pick]![heads[pick]!]!.event.time))
      )
        pick = i;
    }
    if (pick < 0) return out;
    out.push(runs[pick]![heads[pick]!++]!);
  }
}
