import type { TracingCounters } from '@agentops/service-runtime/tracing';

/** The two sides of the comparison: the OpenTelemetry SDK off, and on with its endpoint down. */
export type ArmName = 'off' | 'on';

/** What the parent asks an arm's process to do; one at a time, the other arm idle meanwhile. */
export type ArmCommand =
  | { cmd: 'latency'; count: number; ratePerSec: number; offset: number }
  | { cmd: 'throughput'; count: number; concurrency: number; offset: number }
  | { cmd: 'close' };

/** Intents that did not get the policy's decision. */
export interface Failures {
  /** ingest's fail-closed deny: no decision came back in time (a blocked decision). */
  timeouts: number;
  /** HTTP errors, crashes of the request. */
  errors: number;
  /** A decision other than the price-floor rule's (the system under test is broken). */
  wrongVerdicts: number;
}

export type ArmReply =
  | { kind: 'ready'; sdkStarted: boolean; exporting: boolean }
  | {
      kind: 'latency';
      /** Every intent, from its scheduled send to its answer (a timed-out one at its timeout). */
      latenciesMs: number[];
      failures: Failures;
      eventLoopP99Ms: number;
      processCpuPercent: number;
    }
  | { kind: 'throughput'; count: number; elapsedMs: number; failures: Failures }
  | { kind: 'closed'; counters: TracingCounters }
  | { kind: 'failed'; error: string };
