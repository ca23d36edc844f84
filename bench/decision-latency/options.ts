import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Measured requests per path. */
  count: number;
  /** Offered load, requests per second, for both paths. */
  rate: number;
  /** Requests sent first and not counted: JIT, connection pools, consumer fetch sessions. */
  warmup: number;
  /** Distinct agents (= Kafka keys); one agent keeps every intent on one partition. */
  agents: number;
  /** The floor's consumers' fetch wait (ms); default the platform's (FETCH_MAX_WAIT_MS). */
  fetchWaitMs?: number;
  json: boolean;
}

export const USAGE = `usage: decision-latency [--count N] [--rate R] [--warmup W] [--agents A] [--fetch-wait-ms MS] [--json]
  --count   measured intents per path        (default 2000)
  --rate    offered intents per second        (default 200)
  --warmup  uncounted intents sent first      (default 100)
  --agents  distinct agents, i.e. Kafka keys  (default 1)
  --fetch-wait-ms  the floor's fetch wait     (default the platform's, FETCH_MAX_WAIT_MS)
  --json    also print a one-line JSON summary as the last line of stdout`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '100' },
      agents: { type: 'string', default: '1' },
      'fetch-wait-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageError(''); // no message: usage only, exit 0
  return {
    count: positiveInt('count', values.count, 1),
    rate: positiveInt('rate', values.rate, 1),
    warmup: positiveInt('warmup', values.warmup, 0),
    agents: positiveInt('agents', values.agents, 1),
    fetchWaitMs:
      values['fetch-wait-ms'] === undefined
        ? undefined
        : positiveInt('fetch-wait-ms', values['fetch-wait-ms'], 0),
    json: values.json,
  };
}

export class UsageError extends Error {}

function positiveInt(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name}: must be an integer >= ${min} (got ${raw})`);
  return value;
}
