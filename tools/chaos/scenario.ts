import {
  AnswerSample,
  acceptedIntentIds,
  countKinds,
  failClosedOutside,
  isFailClosed,
  isHealthy,
  recoverySeconds,
} from './answers';
import { Fault } from './faults';
import { SteadyLoad } from './load';
import { sleep } from './local-stack';
import { StoreCheck, checkStores } from './store-check';
import { StoreReads } from './store-reads';

export interface ScenarioSettings {
  baselineMs: number;
  /** Answers slower than this are not healthy (recovery is measured to healthy answers). */
  healthyLatencyMs: number;
  /** Healthy answers for this long after the fault end the observation. */
  healthyStreakMs: number;
  observeMaxMs: number;
  /** How long the stores get to catch up (consumer lag after the fault) before missing is lost. */
  settleMaxMs: number;
  adminDatabaseUrl: string;
}

/** docs/reliability.json's keys for one scenario, exactly. */
export interface ScenarioRow {
  fault: string;
  accepted: number;
  lost: number;
  duplicates: number;
  fail_closed: number;
  recovery_s: number | null;
}

export interface ScenarioResult {
  row: ScenarioRow;
  proposals: number;
  kinds: ReturnType<typeof countKinds>;
  failClosedOutsideWindow: number;
  faultSeconds: number;
  settleSeconds: number;
  check: StoreCheck;
  audit: { ok: boolean; records: number; firstFailure?: string };
  errors: string[];
  /** The fault's window and every answer, for `--samples`. */
  timeline: { fault: string; startMs: number; endMs: number; samples: AnswerSample[] };
}

/**
 * One fault under steady load: a baseline, the fault, its repair, observation until the answers
 * are healthy again (or the limit), then the stores checked for every accepted intent once they
 * caught up.
 */
export async function runScenario(
  fault: Fault,
  load: SteadyLoad,
  s: ScenarioSettings,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const errors: string[] = [];
  load.start();
  await sleep(s.baselineMs);
  const startMs = Date.now();
  log(`${fault.name}: injecting`);
  await fault.inject().catch((e: Error) => errors.push(`inject: ${e.message}`));
  await sleep(fault.holdMs);
  log(`${fault.name}: healing`);
  await fault.heal().catch((e: Error) => errors.push(`heal: ${e.message}`));
  const endMs = Date.now();
  await observeUntilHealthy(load, s);
  const samples = await load.stop();
  const recovery = recoverySeconds(samples, endMs, s.healthyLatencyMs);
  log(`${fault.name}: ${samples.length} proposals, recovery ${recovery ?? 'none'} s; checking the stores`);

  const accepted = acceptedIntentIds(samples);
  const settleStart = Date.now();
  let check: StoreCheck;
  for (;;) {
    check = await readCheck(s.adminDatabaseUrl, accepted).catch((e: Error) => {
      errors.push(`store read: ${e.message}`);
      return checkStores(accepted, [], []);
    });
    if ((check.lost === 0 && check.duplicates === 0) || Date.now() - settleStart > s.settleMaxMs) break;
    await sleep(2000);
  }
  const audit = await withReads(s.adminDatabaseUrl, (r) => r.verifyAudit()).catch((e: Error) => ({
    ok: false,
    records: 0,
    firstFailure: e.message,
  }));
  return {
    row: {
      fault: fault.name,
      accepted: check.accepted,
      lost: check.lost,
      duplicates: check.duplicates,
      fail_closed: samples.filter(isFailClosed).length,
      recovery_s: recovery === null ? null : Math.round(recovery * 10) / 10,
    },
    proposals: samples.length,
    kinds: countKinds(samples),
    failClosedOutsideWindow: failClosedOutside(samples, { startMs, endMs, recoverySeconds: recovery }),
    faultSeconds: Math.round((endMs - startMs) / 100) / 10,
    settleSeconds: Math.round((Date.now() - settleStart) / 100) / 10,
    check,
    audit,
    errors,
    timeline: { fault: fault.name, startMs, endMs, samples },
  };
}

/**
 * Watches the answers after the repair: done once every proposal of the last `healthyStreakMs`
 * (ending a few seconds back, so their answers are in) was answered healthily.
 */
async function observeUntilHealthy(load: SteadyLoad, s: ScenarioSettings): Promise<void> {
  const until = Date.now() + s.observeMaxMs;
  const answerLagMs = s.healthyLatencyMs + 500;
  await sleep(s.healthyStreakMs + answerLagMs);
  while (Date.now() < until) {
    const to = Date.now() - answerLagMs;
    const window: AnswerSample[] = load.answeredBetween(to - s.healthyStreakMs, to);
    if (
      window.length > 0 &&
      !load.pendingSentBefore(to) &&
      window.every((a) => isHealthy(a, s.healthyLatencyMs))
    )
      return;
    await sleep(1000);
  }
}

async function withReads<T>(url: string, work: (reads: StoreReads) => Promise<T>): Promise<T> {
  const reads = await StoreReads.open(url);
  try {
    return await work(reads);
  } finally {
    await reads.close();
  }
}

function readCheck(url: string, accepted: string[]): Promise<StoreCheck> {
  return withReads(url, async (reads) => {
    const [decisions, records] = await Promise.all([reads.decisions(accepted), reads.auditRecords(accepted)]);
    return checkStores(accepted, decisions, records);
  });
}
