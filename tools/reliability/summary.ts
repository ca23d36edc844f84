import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * docs/reliability.json (issue #19 item 2's keys, exactly): `scenarios` from the chaos tool
 * (tools/chaos), the fuzz totals from the fuzz suites. Each writer updates its own keys and keeps
 * the others, so one file compares runs. Written only where the caller names the file (the fuzz
 * suites: RELIABILITY_SUMMARY, which `npm run fuzz` sets; the test command never rewrites a
 * committed summary).
 */
export interface ReliabilitySummary {
  scenarios: {
    fault: string;
    accepted: number;
    lost: number;
    duplicates: number;
    fail_closed: number;
    /** null: the answers were not healthy again before the observation ended. */
    recovery_s: number | null;
  }[];
  fuzz_requests: number;
  fuzz_5xx: number;
  fuzz_crashes: number;
  dlq_malformed_ok: boolean;
  commit: string;
  date: string;
}

const KEYS: (keyof ReliabilitySummary)[] = [
  'scenarios',
  'fuzz_requests',
  'fuzz_5xx',
  'fuzz_crashes',
  'dlq_malformed_ok',
  'commit',
  'date',
];

export function recordReliability(
  update: Partial<Omit<ReliabilitySummary, 'commit' | 'date'>>,
  path = process.env.RELIABILITY_SUMMARY,
): void {
  if (!path) return;
  const current = (
    existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}
  ) as Partial<ReliabilitySummary>;
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // not a git checkout
  }
  const merged: Partial<ReliabilitySummary> = {
    scenarios: [],
    ...current,
    ...update,
    commit,
    date: new Date().toISOString(),
  };
  writeFileSync(
    path,
    `${JSON.stringify(Object.fromEntries(KEYS.filter((k) => k in merged).map((k) => [k, merged[k]])), null, 2)}\n`,
  );
}
