import { AgentOpsClient, Halt } from '@agentops/sdk';
import { api } from './platform-api';
import { Random } from './random';

/**
 * Issue #17's main job: two customer-service agents that read customer records for their intents
 * as the SDK reports them (`recordDataAccess`), watched by the access service. Both work normally
 * first (their own and their peers' baselines are learned); then one **sweeps** customer records —
 * far more records and customers per intent — and the other **leaks slowly**, reading 1.5× what it
 * usually does. The report says, from the access service's own anomalies and the kill switch it
 * flipped, how long after each turned bad it was detected and contained, and how many records it
 * had read by then. Every number comes from the run.
 */
export interface DataAccessEndpoints {
  ingest: string;
  access: string;
  killswitch: string;
}

export interface DataAccessContext {
  endpoints: DataAccessEndpoints;
  /** An operator's (or admin's) token: registers the agents, reads the anomalies and the switch. */
  token: string;
  run: string;
  tenant: string;
  rnd: Random;
  log?: (line: string) => void;
}

/** When each agent turns bad, as a share of the run (after its baselines are learned). */
export interface DataAccessTimeline {
  startAt: number;
  endAt: number;
  sweepAt?: number;
  leakAt?: number;
  /** After the run, how long to wait for the access service to catch up (20 s). */
  settleMs?: number;
  /**
   * Ordinary intents each agent proposes before it may turn bad (40, the demo's
   * ACCESS_MIN_OWN_INTENTS: its own baseline is learned first, else the drift would be learned as
   * its normal); on a loaded machine this, not the clock, is what an agent waits for. More would
   * trip killswitch's customer-data-reads breaker (500 records per agent in 5 real minutes) on
   * ordinary work before the agent turns bad.
   */
  normalIntents?: number;
  /**
   * Each agent's pace, all its workers together (unpaced when absent). The main job paces its
   * agents (2/s) so that ordinary work stays under killswitch's customer-data-reads breaker (500
   * records in 5 real minutes, ~4 per intent): unpaced on a quiet machine, both agents tripped it
   * before they ever turned bad, and the report showed nothing of the access monitor.
   */
  intentsPerSecond?: number;
  /**
   * How long an agent not quarantined yet goes on past `endAt` (0): a loaded machine serves a slow
   * leak's intents slowly, and its drift shows only after enough of them.
   */
  graceMs?: number;
}

export interface Exposure {
  /** Since the agent turned bad. */
  afterMs: number;
  /** Records it had read since it turned bad. */
  records: number;
}

export interface DataAccessAgentReport {
  scenario: 'sweep' | 'slow leak';
  agentId: string;
  description: string;
  /** Records per intent: what it read while normal, and after it turned bad (means over the run). */
  usualRecordsPerIntent: number;
  badRecordsPerIntent: number;
  /** Since the start of the run, when it turned bad. */
  turnedBadAfterMs: number;
  /** The first anomaly after it turned bad. */
  detection: (Exposure & { detector: string; feature: string; severity: string; message: string }) | null;
  /** The kill switch that quarantined it. */
  containment: (Exposure & { switchId: string }) | null;
  /** The first kill switch that halted it, when not the access monitor's (a breaker, say). */
  haltedBy: (Exposure & { actor: string; reason: string }) | null;
  /** Everything it read once bad, and whether its intents were then refused by the switch. */
  recordsWhileBad: number;
  intents: number;
  halted: boolean;
}

export interface DataAccessScenarioReport {
  agents: DataAccessAgentReport[];
  problems: string[];
}

interface Read {
  at: number;
  records: number;
  bad: boolean;
}

interface Anomaly {
  anomalyId: string;
  detector: string;
  feature: string;
  severity: string;
  detectedAt: string;
  message: string;
  quarantine?: { switchId: string };
}

/** Reads and intents in flight per agent. */
const WORKERS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const subject = (n: number) => `customer_${n.toString(16).padStart(32, '0')}`;

export async function runDataAccessScenarios(
  ctx: DataAccessContext,
  timeline: DataAccessTimeline,
): Promise<DataAccessScenarioReport> {
  const { endpoints, token, run, tenant, rnd } = ctx;
  const span = timeline.endAt - timeline.startAt;
  const sweepAt = timeline.sweepAt ?? timeline.startAt + 0.55 * span;
  const leakAt = timeline.leakAt ?? timeline.startAt + 0.45 * span;
  const register = async (id: string) => {
    const { apiKey } = await api<{ apiKey: string }>('POST', `${endpoints.ingest}/v1/agents`, token, {
      id,
      tenantId: tenant,
      name: id,
      role: 'service',
      // Their own cohort: the peers' baseline judges each until it has one of its own.
      version: '3.1.0-data',
      region: 'eu-west',
      labels: { brand: 'maison-demo', owner: 'service-team-lead' },
    });
    const client = new AgentOpsClient({
      baseUrl: endpoints.ingest,
      apiKey,
      maxWaitMs: 3000,
      pollIntervalMs: 250,
      onWarning: () => undefined,
    });
    return { client, apiKey };
  };
  const ids = { sweep: `service-sweep-${run}`, leak: `service-leak-${run}` };
  const agentsOf = { sweep: await register(ids.sweep), leak: await register(ids.leak) };
  const state = {
    sweep: { intents: 0, halted: false, haltedAt: 0, turned: false, halt: undefined as Halt | undefined },
    leak: { intents: 0, halted: false, haltedAt: 0, turned: false, halt: undefined as Halt | undefined },
  };
  // A quarantine reaches the agent on its control stream, as a halt (the SDK's listen()).
  for (const name of ['sweep', 'leak'] as const)
    await agentsOf[name].client.listen({
      onHalt: (halt) => {
        if (state[name].halted) return;
        state[name].halted = true;
        state[name].haltedAt = Date.now();
        state[name].halt = halt;
        ctx.log?.(`data access: ${ids[name]} is quarantined (a kill switch halts it)`);
      },
    });
  let customer = rnd.int(0, 1_000_000);
  // Ordinary work: 3–5 records of one customer per intent.
  const usual = () => ({ records: rnd.int(3, 5), subjects: 1 });
  const plans = {
    sweep: { from: sweepAt, bad: () => ({ records: 100, subjects: 100 }) },
    // 1.5×: a few records more per intent, and every other intent a second customer.
    leak: {
      from: leakAt,
      bad: () => ({ records: Math.round(rnd.int(3, 5) * 1.5), subjects: rnd.chance(0.5) ? 2 : 1 }),
    },
  };
  const reads: Record<'sweep' | 'leak', Read[]> = { sweep: [], leak: [] };
  const problems: string[] = [];

  const loop = async (name: 'sweep' | 'leak') => {
    const { client, apiKey } = agentsOf[name];
    const plan = plans[name];
    const until = timeline.endAt + (timeline.graceMs ?? 0);
    while (
      !state[name].halted &&
      (Date.now() < timeline.endAt || (Date.now() < until && state[name].turned))
    ) {
      const bad =
        state[name].turned ||
        (Date.now() >= plan.from && state[name].intents >= (timeline.normalIntents ?? 40));
      if (bad && !state[name].turned) {
        state[name].turned = true;
        // When it actually turned: every time and record count of the report is from here.
        plan.from = Date.now();
        ctx.log?.(`data access: ${name === 'sweep' ? 'the sweep' : 'the slow leak'} starts (${ids[name]})`);
      }
      const shape = bad ? plan.bad() : usual();
      const subjects = Array.from({ length: shape.subjects }, () => subject(customer++));
      const at = Date.now();
      try {
        await client.recordDataAccess({
          source: 'crm.customers',
          dataClasses: ['customer'],
          recordCount: shape.records,
          subjectIds: subjects,
        });
        reads[name].push({ at, records: shape.records, bad });
        // The intent the read served, proposed without waiting for its decision: a message the
        // agent would send anyway (the denominator the baselines are per intent of).
        const res = await fetch(`${endpoints.ingest}/v1/intents`, {
          method: 'POST',
          // The 202 at once: the agent does not wait on guardrail (a loaded machine's decisions
          // take seconds), so its intents come as fast as its reads, as the baselines expect.
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey, prefer: 'respond-async' },
          body: JSON.stringify({
            action: 'service.send_message',
            target: { type: 'customer', id: subjects[0]! },
            // What the retail pack asks of a message (retail.service.message-recipient): without
            // them every intent would be denied and the deny-rate breaker would halt the agent.
            params: {
              customerId: subjects[0]!,
              recipientEmail: `client-${customer}@clients.maison.example`,
              channel: 'email',
              message: 'Your order has shipped and will arrive on Thursday.',
            },
            confidence: 0.9,
            justification: 'shipping notification requested by the client',
          }),
        });
        await res.text();
        if (!res.ok) throw new Error(`POST /v1/intents: HTTP ${res.status}`);
        state[name].intents++;
      } catch (e) {
        problems.push(`${ids[name]}: ${(e as Error).message}`);
        await sleep(500);
      }
      await sleep(timeline.intentsPerSecond ? (WORKERS * 1000) / timeline.intentsPerSecond : 20);
    }
  };
  // Several requests in flight per agent, as an agent serving many customers at once would.
  const workers = (name: 'sweep' | 'leak') => Array.from({ length: WORKERS }, () => loop(name));
  await Promise.all([...workers('sweep'), ...workers('leak')]);
  Object.values(agentsOf).forEach((a) => a.client.close());
  // The last reads reach the access service through Kafka: wait (up to settleMs) until each agent
  // has an anomaly since it turned bad, or the service has had its time.
  const anomaliesOf = (agentId: string) =>
    api<{ anomalies: Anomaly[] }>(
      'GET',
      `${endpoints.access}/v1/access/anomalies?agentId=${encodeURIComponent(agentId)}&limit=500`,
      token,
    ).then((r) => r.anomalies);
  const settleUntil = Date.now() + (timeline.settleMs ?? 20_000);
  while (Date.now() < settleUntil) {
    const found = await Promise.all(
      (['sweep', 'leak'] as const).map(async (n) =>
        (await anomaliesOf(ids[n]).catch(() => [] as Anomaly[])).some(
          (a) => Date.parse(a.detectedAt) >= plans[n].from,
        ),
      ),
    );
    if (found.every(Boolean)) break;
    await sleep(1000);
  }

  const agents: DataAccessAgentReport[] = [];
  for (const name of ['sweep', 'leak'] as const) {
    const agentId = ids[name];
    const anomalies = await anomaliesOf(agentId).catch(
      (e: Error) => (problems.push(`anomalies of ${agentId}: ${e.message}`), [] as Anomaly[]),
    );
    const from = plans[name].from;
    const badReads = reads[name].filter((r) => r.bad);
    const readBy = (t: number) => badReads.filter((r) => r.at <= t).reduce((s, r) => s + r.records, 0);
    const after = anomalies
      .filter((a) => Date.parse(a.detectedAt) >= from)
      .sort((a, b) => a.detectedAt.localeCompare(b.detectedAt));
    const first = after[0];
    const quarantined = after.find((a) => a.quarantine);
    let containment: DataAccessAgentReport['containment'] = null;
    if (quarantined?.quarantine) {
      const sw = await api<{ flippedAt: string }>(
        'GET',
        `${endpoints.killswitch}/v1/killswitches/${quarantined.quarantine.switchId}`,
        token,
      ).catch((e: Error) => (problems.push(`switch of ${agentId}: ${e.message}`), undefined));
      const at = sw ? Date.parse(sw.flippedAt) : Date.parse(quarantined.detectedAt);
      containment = { afterMs: at - from, records: readBy(at), switchId: quarantined.quarantine.switchId };
    }
    const mean = (rs: Read[]) => (rs.length ? rs.reduce((s, r) => s + r.records, 0) / rs.length : 0);
    agents.push({
      scenario: name === 'sweep' ? 'sweep' : 'slow leak',
      agentId,
      description:
        name === 'sweep'
          ? 'a service agent sweeping customer records: 100 customers per intent instead of one'
          : 'a service agent leaking slowly: 1.5× the records it usually reads per intent',
      usualRecordsPerIntent: mean(reads[name].filter((r) => !r.bad)),
      badRecordsPerIntent: mean(badReads),
      turnedBadAfterMs: from - timeline.startAt,
      detection: first
        ? {
            afterMs: Date.parse(first.detectedAt) - from,
            records: readBy(Date.parse(first.detectedAt)),
            detector: first.detector,
            feature: first.feature,
            severity: first.severity,
            message: first.message,
          }
        : null,
      containment,
      haltedBy:
        state[name].halt && state[name].halt.switchId !== containment?.switchId
          ? {
              afterMs: state[name].haltedAt - from,
              records: readBy(state[name].haltedAt),
              actor: state[name].halt.actor,
              reason: state[name].halt.reason,
            }
          : null,
      recordsWhileBad: readBy(Infinity),
      intents: state[name].intents,
      halted: state[name].halted,
    });
  }
  return { agents, problems: [...new Set(problems)].slice(0, 10) };
}

/** The data-access part of the simulation report: detection time and records exposed, per agent. */
export function dataAccessReportLines(r: DataAccessScenarioReport): string[] {
  const lines = ['Data access (issue #17)'];
  for (const a of r.agents) lines.push(`  ${a.scenario} (${a.agentId}): ${exposureLine(a)}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function exposureLine(a: DataAccessAgentReport): string {
  const usual = `${a.usualRecordsPerIntent.toFixed(1)} → ${a.badRecordsPerIntent.toFixed(1)} records per intent`;
  const other = a.haltedBy
    ? `; halted first by another kill switch (${a.haltedBy.actor}: ${a.haltedBy.reason.slice(0, 80)}) ${secs(a.haltedBy.afterMs)} after it started, ${a.haltedBy.records} records read by then`
    : '';
  if (!a.detection) return `NOT detected (${usual}; ${a.recordsWhileBad} records read while bad)${other}`;
  const d = a.detection;
  const detected = `detected ${secs(d.afterMs)} after it started, ${d.records} records read by then (${d.severity} ${d.feature}/${d.detector})`;
  const contained = a.containment
    ? `quarantined ${secs(a.containment.afterMs)} after it started, ${a.containment.records} records exposed before containment`
    : 'not quarantined (an alert, not a high anomaly)';
  return `${detected}; ${contained}; ${usual}${other}`;
}

export function dataAccessReportHtml(
  r: DataAccessScenarioReport,
  esc: (s: unknown) => string,
  table: (head: string[], body: unknown[][]) => string,
): string {
  const cell = (e: Exposure | null) => (e ? `${secs(e.afterMs)} · ${e.records} records` : '—');
  return [
    '<h2>Data access</h2>',
    '<p>Two customer-service agents report their reads (<code>recordDataAccess</code>); after their baselines are learned one sweeps customer records and the other leaks slowly. Times are from when each turned bad; records are those it had read by then.</p>',
    table(
      ['agent', 'what it did', 'records / intent', 'detected', 'by', 'contained (kill switch)'],
      r.agents.map((a) => [
        `${a.scenario} (${a.agentId})`,
        a.description,
        `${a.usualRecordsPerIntent.toFixed(1)} → ${a.badRecordsPerIntent.toFixed(1)}`,
        cell(a.detection),
        a.detection
          ? `${a.detection.severity} ${a.detection.feature}/${a.detection.detector}: ${a.detection.message}`
          : '—',
        a.containment
          ? `${cell(a.containment)} · ${a.containment.switchId.slice(0, 8)}`
          : a.haltedBy
            ? `halted first by ${a.haltedBy.actor}: ${cell(a.haltedBy)}`
            : 'not quarantined',
      ]),
    ),
    ...r.problems.map((p) => `<p class="ko">${esc(p)}</p>`),
  ].join('\n');
}
