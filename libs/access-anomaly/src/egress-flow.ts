import { z } from 'zod';
import { AccessStep, PendingEgress } from './flow-rules';

/**
 * The flow rules' two halves across services (issue #17, item 3): the access service keeps each
 * agent's recent steps (it sees every read report and intent, partitioned by agent) and writes
 * them where guardrail reads them, once per batch, before deciding an egress intent. This file is
 * what both agree on: which intent is an egress, the key, the stored form, the tenant lists.
 */

/** Egress destinations each tenant allows (`{"maison":["mail.maison.example","*.partner.example"]}`). */
export const AllowedDestinations = z.record(z.string(), z.array(z.string().min(1).max(200)).max(1000));
export type AllowedDestinations = z.infer<typeof AllowedDestinations>;

/** The environment variable both services read it from, as JSON; `{}` (nothing listed) by default. */
export const allowedDestinationsSetting = z
  .string()
  .default('{}')
  .transform((raw, ctx) => {
    try {
      return AllowedDestinations.parse(JSON.parse(raw));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of tenant → destinations' });
      return z.NEVER;
    }
  });

interface IntentLike {
  action: string;
  params: Record<string, unknown>;
  dataUsed: readonly { dataClasses?: readonly string[]; records?: number }[];
}

/**
 * The egress an intent would run, if it is one: an intent that sends data out names where in
 * `params.destination` (a host, or a channel such as `email:external.example`). What it carries is
 * what it declares it used (`dataUsed`): its data classes and record count.
 */
export function pendingEgressOf(intent: IntentLike): PendingEgress | undefined {
  const destination = intent.params['destination'];
  if (typeof destination !== 'string' || destination.trim() === '') return undefined;
  const classes = new Set<string>();
  let records = 0;
  for (const used of intent.dataUsed) {
    for (const c of used.dataClasses ?? []) classes.add(c);
    records += used.records ?? 0;
  }
  return { destination: destination.trim(), dataClasses: [...classes], records, action: intent.action };
}

/** The Redis key of an agent's recent steps (hash-tagged by tenant, like guardrail's counters). */
export function flowHistoryKey(
  config: { REDIS_KEY_PREFIX: string; KAFKA_TOPIC_PREFIX: string },
  tenantId: string,
  agentId: string,
): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}access:{${tenantId}}:history:${agentId}`;
}

const StoredStep = z.object({
  kind: z.enum(['read', 'egress', 'intent']),
  at: z.number(),
  source: z.string(),
  dataClasses: z.array(z.string()),
  records: z.number(),
  destination: z.string(),
  action: z.string(),
});
const StoredHistory = z.object({ v: z.literal(1), steps: z.array(StoredStep) });

/** The stored form: versioned, oldest step first (as the monitor keeps them). */
export function encodeFlowHistory(steps: readonly AccessStep[]): string {
  return JSON.stringify({ v: 1, steps });
}

/**
 * The steps of a stored history; none for a missing key. A value this version cannot read is an
 * error, not an empty history: an egress must not pass because its evidence was unreadable.
 */
export function decodeFlowHistory(raw: string | null | undefined): AccessStep[] {
  if (raw === null || raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('access flow history is not JSON');
  }
  const result = StoredHistory.safeParse(parsed);
  if (!result.success)
    throw new Error(`access flow history is not version 1: ${result.error.issues[0]?.message}`);
  return result.data.steps;
}
