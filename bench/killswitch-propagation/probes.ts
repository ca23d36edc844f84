import { createRedis } from '@agentops/persistence';
import { LatencySummary, round2 } from '../shared/stats';

/** The floor: a raw Redis PUBLISH → SUBSCRIBE round trip on the same server, `samples` times. */
export async function redisRoundTrip(url: string, channel: string, samples: number): Promise<number[]> {
  const pub = createRedis(url, 'ksbench-pub');
  const sub = createRedis(url, 'ksbench-sub');
  const out: number[] = [];
  try {
    let pending: ((t: number) => void) | undefined;
    sub.on('message', () => pending?.(performance.now()));
    await sub.subscribe(channel);
    for (let i = 0; i < samples; i++) {
      const got = new Promise<number>((r) => (pending = r));
      const t0 = performance.now();
      await pub.publish(channel, JSON.stringify({ i, at: t0 }));
      out.push((await got) - t0);
      await sleep(2);
    }
  } finally {
    pub.disconnect();
    sub.disconnect();
  }
  return out;
}

export function rounded(s: LatencySummary) {
  return {
    count: s.count,
    p50: round2(s.p50),
    p95: round2(s.p95),
    p99: round2(s.p99),
    max: round2(s.max),
    mean: round2(s.mean),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
