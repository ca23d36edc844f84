import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface OpenLoopOptions {
  count: number;
  ratePerSec: number;
}

/** One request of the run: what it answered, or why it failed. */
export interface Sample<T> {
  index: number;
  /** Wall-clock instant the schedule said to send, to line up with timestamps the system reports. */
  scheduledAtEpochMs: number;
  /** From the instant the schedule said to send to the answer. */
  latencyMs: number;
  /** How late the request actually left; large values mean the load generator itself is starved. */
  sendLagMs: number;
  outcome: { ok: true; value: T } | { ok: false; error: string };
}

export interface OpenLoopResult<T> {
  samples: Sample<T>[];
  /** First scheduled send to last answer: the window the throughput is measured over. */
  elapsedMs: number;
  offeredRatePerSec: number;
  /** This process's event-loop delay during the run (p99, max; ms): what in-process code waited for the CPU. */
  eventLoopDelayMs: { p99: number; max: number };
  /** CPU this process used, in % of one core: near 100 means its one JS thread is the bottleneck. */
  processCpuPercent: number;
}

/**
 * Sends `count` requests at a fixed rate without waiting for answers (open loop), as independent
 * agents would. A closed loop slows down exactly when the system does and hides the queueing delay
 * ("coordinated omission"); here latency runs from the scheduled instant, so a stall shows.
 */
export async function runOpenLoop<T>(
  options: OpenLoopOptions,
  send: (index: number) => Promise<T>,
): Promise<OpenLoopResult<T>> {
  const intervalMs = 1000 / options.ratePerSec;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const inFlight: Promise<Sample<T>>[] = [];

  const fire = (index: number): void => {
    const scheduledAt = start + index * intervalMs;
    const sentAt = performance.now();
    const settle = (outcome: Sample<T>['outcome']): Sample<T> => ({
      index,
      scheduledAtEpochMs: performance.timeOrigin + scheduledAt,
      latencyMs: performance.now() - scheduledAt,
      sendLagMs: sentAt - scheduledAt,
      outcome,
    });
    inFlight.push(
      send(index).then(
        (value) => settle({ ok: true, value }),
        (error: unknown) =>
          settle({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      ),
    );
  };

  await new Promise<void>((done) => {
    let next = 0;
    const tick = (): void => {
      // A late timer fires every request that is due, so the offered rate holds on average.
      const now = performance.now();
      while (next < options.count && start + next * intervalMs <= now) fire(next++);
      if (next >= options.count) return done();
      setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });

  const samples = await Promise.all(inFlight);
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  return {
    samples,
    elapsedMs,
    offeredRatePerSec: options.ratePerSec,
    eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    processCpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
  };
}
