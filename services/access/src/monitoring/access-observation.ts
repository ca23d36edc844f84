import { AccessAnomaly, AccessMonitor, AgentRef, pendingEgressOf } from '@agentops/access-anomaly';
import {
  AccessAnomalyDetectedV1,
  EventEnvelope,
  EventTypes,
  IntentProposedV1,
  TelemetryRecordedV1,
} from '@agentops/contracts';
import { MessageOrigin, createEvent, newEventId } from '@agentops/messaging';
import { Clock, EVENT_SOURCE, LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccessConfig } from '../config';
import { Containment } from '../containment/containment';
import { AccessStateStore, AgentAccessRow, AnomalyEnvelope } from './access-state-store';
import { FlowHistoryWriter } from './flow-history';

type Judge = (monitor: AccessMonitor, at: number, row: AgentAccessRow | undefined) => AccessAnomaly[];

/**
 * Use case: judges each agent's data access as its events arrive (issue #17). The monitor
 * (`libs/access-anomaly`) holds the agents this instance owns in memory; the truth is each agent's
 * row, written with the offsets it has applied and the anomalies it raised in one transaction. A
 * row newer than the memory's copy (the agent was judged elsewhere after a rebalance) is loaded
 * first; an event at or below the row's offset (a redelivery) is skipped. One event at a time per
 * instance, the tick included, so the memory never races the rows. After each event the agent's
 * recent steps are written for guardrail's flow rules, and an egress intent is judged by the same
 * rules here (guardrail denies it; this raises the anomaly that contains the agent).
 */
@Injectable()
export class AccessObservation implements OnModuleInit {
  readonly monitor: AccessMonitor;
  /** The row version each agent's in-memory state is at. */
  private readonly loaded = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: AccessStateStore,
    private readonly containment: Containment,
    private readonly flowHistory: FlowHistoryWriter,
    private readonly clock: Clock,
    @Inject(EVENT_SOURCE) private readonly source: string,
    @Inject(SERVICE_CONFIG) config: AccessConfig,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {
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

  /** A data-access report (telemetry with `access`); other telemetry is not this service's. */
  onTelemetry(event: EventEnvelope<TelemetryRecordedV1>, origin: MessageOrigin): Promise<void> {
    const { access, agent } = event.data;
    if (!access || !agent) return Promise.resolve();
    const ref: AgentRef = {
      id: event.data.agentId,
      tenantId: event.tenantid,
      role: agent.role,
      version: agent.version,
      ...(agent.scopes ? { scopes: agent.scopes } : {}),
    };
    return this.observe(ref, event, origin, true, (m, at) => m.observeAccess(ref, at, access));
  }

  /**
   * An intent: the denominator of every per-intent feature. Its `dataUsed` counts as reads for an
   * agent that reports none of its own (else the same read would count twice). An egress intent
   * (`params.destination`) is first judged by the flow rules over the history before it.
   */
  onIntent(event: EventEnvelope<IntentProposedV1>, origin: MessageOrigin): Promise<void> {
    const intent = event.data;
    const ref: AgentRef = {
      id: intent.agent.id,
      tenantId: intent.agent.tenantId,
      role: intent.agent.role,
      version: intent.agent.version,
      ...(intent.agent.scopes ? { scopes: intent.agent.scopes } : {}),
    };
    const egress = pendingEgressOf(intent);
    return this.observe(ref, event, origin, false, (m, at, row) => {
      const out: AccessAnomaly[] = egress ? m.checkEgress(ref, at, egress).anomalies : [];
      if (!row?.reportsAccess)
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
    });
  }

  /**
   * Closes the buckets that ended (an idle agent's included), saves the cohort baselines, and
   * retries the containment of anomalies stored at least `graceMs` ago but not published.
   */
  tick(graceMs: number): Promise<void> {
    return this.exclusive(async () => {
      const now = this.clock.now().getTime();
      for (const ref of this.monitor.dueAgents(now)) {
        const anomalies = await this.judge(ref.id, (row) => {
          // Not ours any more (judged elsewhere since): forget it rather than write a stale copy.
          if (!row || row.seq !== this.loaded.get(ref.id)) {
            this.forget(ref.id);
            return null;
          }
          const found = this.monitor.tick(now, (r) => r.id === ref.id);
          return this.written(ref, row, found, undefined, now);
        });
        if (anomalies) await this.containment.contain(anomalies);
      }
      await this.store.saveCohorts(this.monitor.exportCohorts());
      await this.containment.catchUp(graceMs);
    });
  }

  private observe(
    ref: AgentRef,
    event: EventEnvelope,
    origin: MessageOrigin,
    reportsAccess: boolean,
    judge: Judge,
  ): Promise<void> {
    const position = `${origin.baseTopic}/${origin.partition}`;
    return this.exclusive(async () => {
      const anomalies = await this.judge(ref.id, (row) => {
        const applied = row?.offsets[position];
        if (applied !== undefined && BigInt(applied) >= BigInt(origin.offset)) return null;
        this.adopt(ref.id, row);
        const found = judge(this.monitor, Date.parse(event.time), row);
        const next = this.written(ref, row, found, event, Date.parse(event.time));
        next.row.offsets[position] = origin.offset;
        next.row.reportsAccess ||= reportsAccess;
        return next;
      });
      if (!anomalies) return;
      await this.writeHistory(ref);
      await this.containment.contain(anomalies);
    });
  }

  /**
   * Best effort: the row is committed already, so a redelivery would be skipped and could not
   * retry this; the next event of the agent writes its whole window again.
   */
  private async writeHistory(ref: AgentRef): Promise<void> {
    try {
      const ttl = this.monitor.historyWindowMs;
      await this.flowHistory.write(ref.tenantId, ref.id, this.monitor.historyOf(ref.id), ttl);
    } catch (err) {
      this.logger.warn(
        { err, agentId: ref.id },
        'flow history not written; the next event of the agent rewrites it',
      );
    }
  }

  /** Runs one row update; on failure the memory's copy is dropped, so a retry starts from the row. */
  private async judge(
    agentId: string,
    judge: (row: AgentAccessRow | undefined) => { row: AgentAccessRow; anomalies: AnomalyEnvelope[] } | null,
  ): Promise<AnomalyEnvelope[] | null> {
    try {
      const update = await this.store.update(agentId, judge);
      if (!update) return null;
      this.loaded.set(agentId, update.row.seq);
      return update.anomalies;
    } catch (error) {
      this.forget(agentId);
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

  private written(
    ref: AgentRef,
    row: AgentAccessRow | undefined,
    found: AccessAnomaly[],
    cause: EventEnvelope | undefined,
    at: number,
  ): { row: AgentAccessRow; anomalies: AnomalyEnvelope[] } {
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
      anomalies: found.map((a) => this.envelope(a, cause, at)),
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
