import type { AccessAnomalyDetectedV1, AccessBaseline } from '@agentops/contracts';

/** The three per-intent features the baselines learn (records, distinct customers, read calls). */
export const ACCESS_FEATURES = ['records', 'subjects', 'reads'] as const;
export type AccessFeatureKey = (typeof ACCESS_FEATURES)[number];

export const FEATURE_LABEL: Record<AccessFeatureKey, string> = {
  records: 'Records',
  subjects: 'Customers',
  reads: 'Reads',
};

/** One feature of an agent now against its baseline: per intent, and how far from the usual. */
export interface FeatureNow {
  feature: AccessFeatureKey;
  /** The open bucket, per intent (its plain count while it has no intent yet). */
  now: number;
  mean: number | null;
  sd: number | null;
  /** How many standard deviations above the usual (null: no baseline, or no spread to measure). */
  z: number | null;
  tone: 'ok' | 'warning' | 'danger' | 'none';
}

/** The open bucket beside the baseline, per feature; z ≥ 3 is a warning, ≥ 7 danger (the EWMA's medium). */
export function featuresNow(b: AccessBaseline): FeatureNow[] {
  return ACCESS_FEATURES.map((feature) => {
    const count = b.now[feature];
    const now = b.now.intents > 0 ? count / b.now.intents : count;
    const usual = b.perIntent?.[feature];
    if (!usual) return { feature, now, mean: null, sd: null, z: null, tone: 'none' };
    const z = usual.sd > 0 ? (now - usual.mean) / usual.sd : null;
    const tone = z === null ? 'ok' : z >= 7 ? 'danger' : z >= 3 ? 'warning' : 'ok';
    return { feature, now, mean: usual.mean, sd: usual.sd, z, tone };
  });
}

/** Whose baseline judges the agent, in words. */
export function baselineSource(from: AccessBaseline['from']): string {
  switch (from) {
    case 'agent':
      return 'its own';
    case 'cohort':
      return 'its peers (role and version)';
    case 'role':
      return 'its role';
    default:
      return 'none yet';
  }
}

export function severityTone(severity: AccessAnomalyDetectedV1['severity']): string {
  return severity === 'high' ? 'danger' : severity === 'medium' ? 'warning' : 'neutral';
}

/** One quarantine: the switch, its agent, and the anomalies that name it (the first flipped it). */
export interface Quarantine {
  switchId: string;
  agentId: string;
  tenantId: string;
  since: string;
  anomalies: AccessAnomalyDetectedV1[];
}

/** The quarantines the anomalies name, newest first, each with its anomalies oldest first. */
export function quarantinesOf(anomalies: readonly AccessAnomalyDetectedV1[]): Quarantine[] {
  const bySwitch = new Map<string, Quarantine>();
  for (const a of anomalies) {
    if (!a.quarantine) continue;
    const q = bySwitch.get(a.quarantine.switchId) ?? {
      switchId: a.quarantine.switchId,
      agentId: a.agentId,
      tenantId: a.tenantId,
      since: a.detectedAt,
      anomalies: [],
    };
    q.anomalies.push(a);
    if (a.detectedAt < q.since) q.since = a.detectedAt;
    bySwitch.set(q.switchId, q);
  }
  const out = [...bySwitch.values()];
  for (const q of out) q.anomalies.sort((x, y) => x.detectedAt.localeCompare(y.detectedAt));
  return out.sort((x, y) => y.since.localeCompare(x.since));
}

/** A number for a table cell: three significant digits, no trailing zeros. */
export function approx(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  return Number(x.toPrecision(3)).toString();
}
