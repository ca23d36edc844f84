import { z } from 'zod';
import { AccessStep, DEFAULT_FLOW_RULES, PendingEgress } from './flow-rules';

/**
 * The flow rules' two halves across services (issue #17, item 3): the access service keeps each
 * agent's recent steps (it sees every read report and intent, partitioned by agent) and writes
 * them where guardrail reads them, once per batch, before deciding an egress intent. This file is
 * what both agree on: which intent is an egress, the keys, the stored forms, the tenant lists.
 *
 * The access service's history trails the reports by the trip through Kafka, and an agent can
 * report a read and propose its egress a few milliseconds apart. So ingest also appends each
 * reported step to a short log of its own before it answers the report (`reportedStepsKey`): the
 * agent's next intent always finds its reads there, and the gate judges the merge of both.
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

/**
 * The Redis key of the steps ingest logged as the agent reported them (a list, newest last,
 * expiring with the longest rule window): what the access service's history may not hold yet.
 */
export function reportedStepsKey(
  config: { REDIS_KEY_PREFIX: string; KAFKA_TOPIC_PREFIX: string },
  tenantId: string,
  agentId: string,
): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}access:{${tenantId}}:reported:${agentId}`;
}

/** How many reported steps the log keeps (the rules' counts look no further: 20 reads, say). */
export const REPORTED_STEPS_MAX = 200;

/** The longest window of the shipped flow rules: how long a reported step can still matter. */
export function flowRulesWindowMs(): number {
  return Math.max(...DEFAULT_FLOW_RULES.map((r) => r.windowMs));
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
  return parseStored(raw, StoredHistory, 'access flow history', 'is not version 1').steps;
}

/** A stored JSON value in its schema, or an error naming what it is and what is wrong. */
function parseStored<T>(raw: string, schema: z.ZodType<T>, what: string, unreadable: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new Error(`${what} ${unreadable}: ${result.error.issues[0]?.message}`);
  return result.data;
}

/** A reported step as ingest logs it (one list entry). */
export function encodeFlowStep(step: AccessStep): string {
  return JSON.stringify(step);
}

/** The logged steps; an entry this version cannot read is an error, as for the history. */
export function decodeFlowSteps(raw: readonly string[]): AccessStep[] {
  return raw.map((entry) => parseStored(entry, StoredStep, 'reported access step', 'is unreadable'));
}

/**
 * The history the rules judge: the access service's steps and the ones ingest logged, each step
 * once (a report in both is the same step, `accessStepOf` made both), oldest first.
 */
export function mergeFlowSteps(
  history: readonly AccessStep[],
  reported: readonly AccessStep[],
): AccessStep[] {
  const keyOf = (s: AccessStep) =>
    JSON.stringify([s.kind, s.at, s.source, [...s.dataClasses].sort(), s.records, s.destination, s.action]);
  const seen = new Set(history.map(keyOf));
  const merged = [...history];
  for (const step of reported) {
    const key = keyOf(step);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(step);
  }
  return merged.sort((a, b) => a.at - b.at);
}
