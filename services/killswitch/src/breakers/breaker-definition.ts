import { CohortSelectorInput } from '@agentops/contracts';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** What a breaker measures over its sliding window, per cohort key. */
export const BreakerMetric = z.enum([
  'deny_rate', // denied / decided, from decisions
  'verification_violations', // outcome.verified with violation=true
  'distinct_skus_repriced', // distinct targets of pricing.* intents
  'total_discount_value', // sum of params.discountValue (or previousPrice - price) on pricing.* intents
  'error_rate', // telemetry errors / telemetry reports
  'customer_records_read', // telemetry data_access records touching customer data
]);
export type BreakerMetric = z.infer<typeof BreakerMetric>;

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m, 1h')
  .transform((s) => {
    const m = /^(\d+)(ms|s|m|h)$/.exec(s)!;
    return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  });

export const BreakerDefinition = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().max(1000).optional(),
    /** Which agents the breaker watches. */
    cohort: CohortSelectorInput.default({}),
    /** The sliding window's key: one window per agent, or per tenant (the whole cohort in a tenant). */
    per: z.enum(['agent', 'tenant']).default('tenant'),
    metric: BreakerMetric,
    window: duration,
    /** Trips when the metric exceeds this value (rates are 0..1). */
    threshold: z.number().nonnegative(),
    /** Rates only: fewer samples than this never trip. */
    minSamples: z.number().int().positive().default(10),
    /** The switch flipped on trip; the tenant (and agent, if per: agent) of the window is added. */
    trip: z
      .object({ selector: CohortSelectorInput.default({}), reason: z.string().max(500).optional() })
      .strict()
      .default({ selector: {} }),
    /** How long the switch stays flipped before the breaker tries half-open. */
    coolDown: duration,
    /**
     * Half-open: the full switch is replaced by one letting `share` of the cohort's intents through;
     * the window must stay under threshold × factor for `probation`, or the breaker opens again.
     */
    halfOpen: z
      .object({
        probation: duration,
        share: z.number().gt(0).max(1).default(0.1),
        thresholdFactor: z.number().min(0).max(1).default(0.5),
      })
      .strict(),
  })
  .strict();
export type BreakerDefinition = z.infer<typeof BreakerDefinition>;

/** Loads every `*.yaml` in the folder; a bad file fails the start, naming the file and the field. */
export function loadBreakerDefinitions(dir: string): BreakerDefinition[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    return [];
  }
  const out: BreakerDefinition[] = [];
  for (const file of files) {
    const parsed = BreakerDefinition.safeParse(parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) {
      throw new Error(
        `${join(dir, file)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    }
    out.push(parsed.data);
  }
  const names = new Set<string>();
  for (const b of out) {
    if (names.has(b.name)) throw new Error(`breaker ${b.name} is defined twice in ${dir}`);
    names.add(b.name);
  }
  return out;
}
