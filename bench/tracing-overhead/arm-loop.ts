import { RunningTracing, tracingCounters } from '@agentops/service-runtime/tracing';
import { trace } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import {
  DecisionOutcome,
  bootDecisionPath,
  expectedVerdict,
  proposeAndWait,
} from '../decision-latency/decision-path';
import { prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { runOpenLoop } from '../shared/open-loop';
import { ArmCommand, ArmName, ArmReply, Failures } from './protocol';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);

function reply(message: ArmReply): void {
  process.send?.(message);
}

/** Boots the arm's own isolated stack and decision path, then answers the parent's commands. */
export async function serveArm(tracing: RunningTracing): Promise<void> {
  const arm = process.env.BENCH_ARM as ArmName;
  // The broker (KAFKA_BROKERS), Redis and database the caller names: a run beside another stack's.
  const stack = await prepareIsolatedStack({
    name: `tracing${arm}`,
    database: `${process.env.BENCH_DATABASE ?? 'agentops_bench_tracing'}_${arm}`,
    redisUrl: process.env.REDIS_URL,
  });
  const path = await bootDecisionPath(stack, 1);
  const send = (i: number) => proposeAndWait(path, i);
  await runOpenLoop({ count: WARMUP, ratePerSec: 100 }, send);
  // A real SDK hands out recording spans; the disabled one, the API's no-op.
  const sdkStarted = trace.getTracer('bench').startSpan('probe').isRecording();
  reply({ kind: 'ready', sdkStarted, exporting: tracing.exporting });

  process.on('message', (command: ArmCommand) => {
    void handle(command).catch((error: unknown) =>
      reply({
        kind: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    );
  });

  async function handle(command: ArmCommand): Promise<void> {
    if (command.cmd === 'latency') {
      const result = await runOpenLoop({ count: command.count, ratePerSec: command.ratePerSec }, (i) =>
        send(command.offset + i),
      );
      reply({
        kind: 'latency',
        latenciesMs: result.samples.map((s) => s.latencyMs),
        failures: failuresOf(
          result.samples.map((s) => ({ index: command.offset + s.index, outcome: s.outcome })),
        ),
        eventLoopP99Ms: result.eventLoopDelayMs.p99,
        processCpuPercent: result.processCpuPercent,
      });
    } else if (command.cmd === 'throughput') {
      const started = performance.now();
      const outcomes = await closedLoop(command.count, command.concurrency, (i) => send(command.offset + i));
      reply({
        kind: 'throughput',
        count: command.count,
        elapsedMs: performance.now() - started,
        failures: failuresOf(outcomes.map((outcome, i) => ({ index: command.offset + i, outcome }))),
      });
    } else {
      // Read before anything else: what the bounded queue dropped while the endpoint was down. No
      // SDK shutdown: its flush would wait out the dead endpoint's timeouts for nothing.
      const counters = { ...tracingCounters };
      await path.close();
      await teardownIsolatedStack(stack);
      process.send?.({ kind: 'closed', counters } satisfies ArmReply, () => process.exit(0));
    }
  }
}

type Outcome = { ok: true; value: DecisionOutcome } | { ok: false; error: string };

/** `concurrency` agents, each sending its next intent as soon as the previous one is answered. */
async function closedLoop(
  count: number,
  concurrency: number,
  send: (index: number) => Promise<DecisionOutcome>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(count);
  let next = 0;
  const agent = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      outcomes[i] = await send(i).then(
        (value): Outcome => ({ ok: true, value }),
        (error: unknown): Outcome => ({ ok: false, error: String(error) }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, agent));
  return outcomes;
}

function failuresOf(results: { index: number; outcome: Outcome }[]): Failures {
  const failures: Failures = { timeouts: 0, errors: 0, wrongVerdicts: 0 };
  for (const { index, outcome } of results) {
    if (!outcome.ok) failures.errors += 1;
    else if (outcome.value.decidedBy === 'timeout') failures.timeouts += 1;
    else if (outcome.value.verdict !== expectedVerdict(index)) failures.wrongVerdicts += 1;
  }
  return failures;
}
