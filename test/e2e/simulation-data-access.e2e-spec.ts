import { RunningService } from '@agentops/service-runtime';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataAccessAgentReport,
  DataAccessScenarioReport,
  dataAccessReportLines,
  exposureLine,
  runDataAccessScenarios,
} from '../../tools/simulation/data-access';
import { Random } from '../../tools/simulation/random';
import { getJson } from '../support/agent-http';
import { bootService } from '../support/platform';
import { applyNoConstraintSet } from '../support/policies';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

/**
 * Issue #17 item 7 on the real stack: the simulation's data-access scenario
 * (tools/simulation/data-access.ts), as `npm run demo` runs it — two customer-service agents
 * reporting their reads with the SDK's `recordDataAccess` through ingest and Kafka to the access
 * service, on the demo's compressed day (2 s buckets, 40 own / 80 cohort intents). After their
 * baselines are learned one sweeps customer records and the other leaks slowly; the access service
 * detects both and quarantines them with a kill switch on their id, and the report's detection
 * times and records exposed are those of the stored anomalies and switches. Nothing asserted is
 * written down in advance.
 */
const SUFFIX = Date.now().toString(36);
const TENANT = `maison-da-${SUFFIX}`;
const RUN_MS = 50_000;

interface StoredAnomaly {
  agentId: string;
  detectedAt: string;
  detector: string;
  feature: string;
  severity: string;
  quarantine?: { switchId: string };
}

describe('simulation: the sweeping and the slowly leaking service agents are detected and quarantined', () => {
  const svc: Partial<Record<'killswitch' | 'access' | 'guardrail' | 'ingest', RunningService>> = {};
  let report: DataAccessScenarioReport;
  let timeline: { startAt: number; endAt: number; leakAt: number; sweepAt: number };
  const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

  beforeAll(async () => {
    svc.killswitch = await bootService('killswitch', {
      BREAKERS_DIR: mkdtempSync(join(tmpdir(), 'no-breakers-')),
    });
    // The demo's compressed business day (scripts/demo.sh).
    svc.access = await bootService('access', {
      KILLSWITCH_URL: svc.killswitch.url,
      ACCESS_BUCKET_MS: '2000',
      ACCESS_MIN_OWN_INTENTS: '40',
      ACCESS_MIN_COHORT_INTENTS: '80',
      ACCESS_TICK_MS: '500',
    });
    svc.guardrail = await bootService('guardrail');
    svc.ingest = await bootService('ingest');
    // The agents' messages are allowed: what stops them is the quarantine, nothing else.
    expect((await applyNoConstraintSet(svc.guardrail.url)).status).toBe(201);
    // As the demo's: the slow leak from 45 % of the run, the sweep from 55 %.
    const startAt = Date.now();
    timeline = {
      startAt,
      endAt: startAt + RUN_MS,
      leakAt: startAt + 0.45 * RUN_MS,
      sweepAt: startAt + 0.55 * RUN_MS,
    };
    report = await runDataAccessScenarios(
      {
        endpoints: { ingest: svc.ingest.url, access: svc.access.url, killswitch: svc.killswitch.url },
        token: TEST_OPERATOR_TOKEN,
        run: SUFFIX,
        tenant: TENANT,
        rnd: new Random(17),
      },
      // A slow leak's drift grows with the intents it serves: on a slower machine it takes more
      // time to reach high, so the grace is generous (the loop ends as soon as both are halted).
      { ...timeline, settleMs: 15_000, graceMs: 60_000 },
    );
  }, 240_000);

  afterAll(async () => {
    for (const s of [svc.ingest, svc.guardrail, svc.access, svc.killswitch]) await s?.close();
  });

  const agent = (scenario: DataAccessAgentReport['scenario']) =>
    report.agents.find((a) => a.scenario === scenario)!;
  const stored = async (agentId: string) =>
    (
      await getJson<{ anomalies: StoredAnomaly[] }>(
        `${svc.access!.url}/v1/access/anomalies?agentId=${encodeURIComponent(agentId)}&limit=500`,
        operator,
      )
    ).body.anomalies.sort((a, b) => a.detectedAt.localeCompare(b.detectedAt));

  it.each([
    ['sweep', 'sweepAt'],
    ['slow leak', 'leakAt'],
  ] as const)(
    'detects the %s after it starts and quarantines the agent, as the stores say',
    async (scenario, turn) => {
      expect(report.problems).toEqual([]);
      const a = agent(scenario);
      // It turns bad at its time, once its own baseline is learned.
      expect(a.turnedBadAfterMs).toBeGreaterThanOrEqual(timeline[turn] - timeline.startAt);
      const from = timeline.startAt + a.turnedBadAfterMs;
      expect(a.badRecordsPerIntent).toBeGreaterThan(a.usualRecordsPerIntent);
      // Quiet while it behaved: nothing high before it turned bad.
      const anomalies = await stored(a.agentId);
      expect(anomalies.filter((x) => Date.parse(x.detectedAt) < from && x.severity === 'high')).toEqual([]);
      // The detection is the first stored anomaly since it turned bad.
      const first = anomalies.find((x) => Date.parse(x.detectedAt) >= from)!;
      expect(first).toBeDefined();
      expect(a.detection).toMatchObject({
        afterMs: Date.parse(first.detectedAt) - from,
        detector: first.detector,
        feature: first.feature,
        severity: first.severity,
      });
      // The containment is the kill switch on the agent that its high anomaly names.
      const high = anomalies.find((x) => Date.parse(x.detectedAt) >= from && x.quarantine)!;
      expect(high?.severity).toBe('high');
      expect(a.containment?.switchId).toBe(high.quarantine!.switchId);
      const sw = await getJson<{ flippedAt: string; state: string; selector: { agentId?: string } }>(
        `${svc.killswitch!.url}/v1/killswitches/${high.quarantine!.switchId}`,
        operator,
      );
      expect(sw.status).toBe(200);
      expect(sw.body.selector.agentId).toBe(a.agentId);
      expect(a.containment!.afterMs).toBe(Date.parse(sw.body.flippedAt) - from);
      // Records exposed: what it had read by then, never more than it read while bad.
      expect(a.detection!.records).toBeGreaterThan(0);
      expect(a.detection!.records).toBeLessThanOrEqual(a.containment!.records);
      expect(a.containment!.records).toBeLessThanOrEqual(a.recordsWhileBad);
      expect(dataAccessReportLines(report)).toContain(`  ${scenario} (${a.agentId}): ${exposureLine(a)}`);
    },
  );
});
