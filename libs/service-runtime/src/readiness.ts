/** A dependency the instance needs before it may serve (Kafka, PostgreSQL, Redis, loaded state). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void> | void;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

/** Services add their own checks (e.g. "kill-switch state loaded") at module init. */
export class ReadinessRegistry {
  private readonly checks: ReadinessCheck[] = [];
  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }
  all(): ReadinessCheck[] {
    return [...this.checks];
  }
}

export async function runReadinessChecks(
  checks: ReadinessCheck[],
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve(c.check()),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
          }),
        ]);
        return [c.name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [
          c.name,
          { ok: false, error: (error as Error).message, ms: Math.round(performance.now() - started) },
        ] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}
