/**
 * Open-loop intent load from a process of its own, so the load generator's event loop is not the
 * one being measured. Forked by a benchmark with its settings as JSON in argv[2]; sends uncovered
 * intents at `rate` per second over the ingest URLs and API keys (round-robin) until told `stop`,
 * then answers with what it achieved and exits.
 *
 *   fork('dist/bench/shared/intent-load.js', [JSON.stringify({ urls, apiKeys, rate })])
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface IntentLoadSettings {
  urls: string[];
  apiKeys: string[];
  rate: number;
  /** Requests in flight at most; beyond it a due request is skipped (counted, not queued). */
  maxInFlight?: number;
}

export interface IntentLoadResult {
  sent: number;
  accepted: number;
  errors: number;
  skipped: number;
  /** Intents per second actually sent. */
  achievedRate: number;
  statuses: Record<string, number>;
}

/** Starts the load in a child process; `stop` ends it and resolves with what it achieved. */
export function startIntentLoad(settings: IntentLoadSettings): { stop(): Promise<IntentLoadResult> } {
  const child = fork(__filename, [JSON.stringify(settings)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<IntentLoadResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as IntentLoadResult));
    child.once('exit', (code) => reject(new Error(`intent load exited with ${code} before reporting`)));
  });
  return {
    stop: () => {
      child.send('stop');
      return result;
    },
  };
}

function runLoad(s: IntentLoadSettings): void {
  const maxInFlight = s.maxInFlight ?? 2000;
  const statuses: Record<string, number> = {};
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  let due = 0;
  const started = performance.now();
  const send = () => {
    const i = sent + skipped;
    if (inFlight >= maxInFlight) {
      skipped++;
      return;
    }
    sent++;
    inFlight++;
    fetch(`${s.urls[i % s.urls.length]}/v1/intents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': s.apiKeys[i % s.apiKeys.length] },
      body: JSON.stringify({
        action: 'service.send_message',
        target: { type: 'customer', id: `C-${i}` },
        params: {},
        confidence: 0.9,
        justification: 'bench load',
        dataUsed: [],
      }),
    })
      .then(async (r) => {
        await r.arrayBuffer();
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status < 300) accepted++;
        else errors++;
      })
      .catch(() => void errors++)
      .finally(() => void inFlight--);
  };
  // Sends what the schedule says is due every few milliseconds: the rate holds however the timer slips.
  const timer = setInterval(() => {
    const target = Math.floor(((performance.now() - started) / 1000) * s.rate);
    for (; due < target; due++) send();
  }, 4);
  process.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    const elapsed = (performance.now() - started) / 1000;
    const result: IntentLoadResult = {
      sent,
      accepted,
      errors,
      skipped,
      achievedRate: Math.round(sent / elapsed),
      statuses,
    };
    process.send!(result, () => process.exit(0));
  });
}

if (require.main === module && process.send) runLoad(JSON.parse(process.argv[2]) as IntentLoadSettings);
