import { globProblem } from '@agentops/contracts';
import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const IngestEnv = CommonEnv.extend({
  HTTP_PORT: port(3001),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** How long an agent that waits is held before the fail-closed deny. */
  DECISION_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  /** Per action class, e.g. `service.*=5000,pricing.set_price=1500`; the first matching glob wins. */
  DECISION_TIMEOUT_OVERRIDES: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const out: { pattern: string; ms: number }[] = [];
      for (const part of s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^([a-z0-9_.*]+)=(\d+)$/.exec(part);
        if (!m) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not <action glob>=<ms>` });
          return z.NEVER;
        }
        const problem = globProblem(m[1]);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: `"${m[1]}": ${problem}` });
          return z.NEVER;
        }
        out.push({ pattern: m[1], ms: Number(m[2]) });
      }
      return out;
    }),
  /**
   * Requests each agent may make per window to each of intents, outcomes and telemetry, shared by
   * all ingest instances (0 = no limit). 500/s is above what the retail simulation (a few per
   * second per agent) and the benches (200 intents/s by default) send, far below what one agent
   * looping on its own can.
   */
  AGENT_RATE_LIMIT_REQUESTS: z.coerce.number().int().min(0).default(500),
  AGENT_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(1),
  /**
   * An agent that did not ask for a longer wait (`timeoutMs`) is answered 202 pending_review once
   * its intent is escalated; this long at most is spent waiting for escalation to name the task
   * and its SLA, so the answer can carry them.
   */
  REVIEW_DETAILS_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(1000),
  /** The longest an agent may ask to wait (escalations may take a human). */
  MAX_WAIT_MS: z.coerce.number().int().min(100).default(300_000),
  /**
   * OTLP intake (`POST /v1/traces`): keep message content (prompts, completions, tool arguments
   * and results) on agents' GenAI spans. Off by default; kept content is still PII-redacted.
   */
  GENAI_CAPTURE_CONTENT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The embedded trace store keeps spans this many hours (then they are pruned). */
  TRACE_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(72),
  /** …and at most this many spans in all: past it the oldest go first. */
  TRACE_MAX_SPANS: z.coerce.number().int().min(1000).default(1_000_000),
  /** How often the retention runs (ms). */
  TRACE_PRUNE_INTERVAL_MS: z.coerce.number().int().min(1000).default(300_000),
});
export type IngestConfig = z.infer<typeof IngestEnv>;

export const loadIngestConfig = (env = process.env) => loadConfig(IngestEnv, env);
