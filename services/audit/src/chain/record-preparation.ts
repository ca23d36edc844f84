import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, MessagePort } from 'node:worker_threads';
import Piscina from 'piscina';
import { PayloadPrivacy } from '../privacy/payload-privacy';
import { AppendItem, PreparedRecord, RecordPlacement, SubjectKeysLookup, prepareBatch } from './append-steps';
import { WantedSubjectKey } from './chain-append-repository';

/**
 * Where an append's CPU work runs — PII detection, pseudonyms, sealing, RFC 8785 text, ~all of
 * it — between the append's reads and writes: `keysFor` is asked once for the subjects found.
 * Only the link hashes, which depend on the record before, are left to the appender, in chain order.
 */
export interface RecordPreparation {
  prepare(items: AppendItem[], at: RecordPlacement, keysFor: SubjectKeysLookup): Promise<PreparedRecord[]>;
  close(): Promise<void>;
}

/** In the calling thread (tests, tools, `AUDIT_WORKERS=0`). */
export class InThreadPreparation implements RecordPreparation {
  constructor(private readonly privacy: PayloadPrivacy) {}

  prepare(items: AppendItem[], at: RecordPlacement, keysFor: SubjectKeysLookup): Promise<PreparedRecord[]> {
    return prepareBatch(this.privacy, items, at, keysFor);
  }

  async close(): Promise<void> {}
}

/** What each worker thread is started with: the secret its own PayloadPrivacy derives pseudonyms from. */
export interface PreparationWorkerData {
  pseudonymSecret: string;
  /** Set when running from the TypeScript sources (tests): the module tools/runtime/ts-worker.js loads. */
  tsModule?: string;
}

/** One slice of a batch, as a worker thread gets it; `keys` is where it asks for its subjects' keys. */
export interface PreparationTask {
  items: AppendItem[];
  at: RecordPlacement;
  keys: MessagePort;
}

/** The appender's answer on a task's `keys` port. */
export type KeysReply = { keys: Map<string, Uint8Array | null> } | { failed: string };

/**
 * On a pool of worker threads (piscina): a batch is cut into one slice per thread (at least
 * `minSlice` records each), the slices are scanned in parallel, their subjects' keys looked up in
 * one call (in the append's transaction, on this thread), then sealed and canonicalised in parallel,
 * and they come back in batch order. Each event crosses to a worker once and its prepared record
 * back once. Each worker has its own pseudonym cache and GCM nonce pool; pseudonyms are keyed and
 * deterministic, so any worker gives an item the same ones. A slice that fails fails the append
 * (the batch is redelivered), after the other slices were told to stop.
 */
export class WorkerPoolPreparation implements RecordPreparation {
  private readonly pool: Piscina;

  constructor(
    pseudonymSecret: string,
    private readonly threads: number,
    private readonly minSlice = 64,
  ) {
    const compiled = join(__dirname, 'preparation-worker.js');
    const fromSources = !existsSync(compiled);
    const workerData: PreparationWorkerData = {
      pseudonymSecret,
      ...(fromSources ? { tsModule: join(__dirname, 'preparation-worker.ts') } : {}),
    };
    this.pool = new Piscina({
      filename: fromSources ? join(__dirname, '../../../../tools/runtime/ts-worker.js') : compiled,
      workerData,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // A slice waits for its keys (a query on this thread) mid-task: meanwhile its worker takes
      // another chain's slices instead of idling.
      concurrentTasksPerWorker: 8,
    });
  }

  async prepare(
    items: AppendItem[],
    at: RecordPlacement,
    keysFor: SubjectKeysLookup,
  ): Promise<PreparedRecord[]> {
    const slices = this.slices(items.length).map(([from, to]) => {
      const { port1, port2 } = new MessageChannel();
      const task: PreparationTask = {
        items: items.slice(from, to),
        at: { ...at, firstSequence: at.firstSequence + from },
        keys: port2,
      };
      const done = this.pool.run(task, { name: 'prepare', transferList: [port2] }) as Promise<
        PreparedRecord[]
      >;
      const asked = new Promise<WantedSubjectKey[]>((resolve, reject) => {
        port1.once('message', resolve);
        done.then(() => reject(new Error('a slice finished without asking for its keys')), reject);
      });
      return { port: port1, asked, done };
    });
    try {
      const wanted = await Promise.all(slices.map((s) => s.asked));
      const keys = compactKeys(await keysFor(wanted.flat()));
      for (const s of slices) s.port.postMessage({ keys } satisfies KeysReply);
      return (await Promise.all(slices.map((s) => s.done))).flat();
    } catch (error) {
      for (const s of slices) s.port.postMessage({ failed: (error as Error).message } satisfies KeysReply);
      await Promise.allSettled(slices.map((s) => s.done));
      throw error;
    } finally {
      for (const s of slices) s.port.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private slices(n: number): [number, number][] {
    const count = Math.max(1, Math.min(this.threads, Math.ceil(n / this.minSlice)));
    const size = Math.max(1, Math.ceil(n / count));
    const out: [number, number][] = [];
    for (let from = 0; from < n; from += size) out.push([from, Math.min(n, from + size)]);
    return out;
  }
}

/**
 * Keys in 32-byte buffers of their own: a key read from PostgreSQL or made in a batch is a view on
 * a larger buffer, and posting a view copies all of that buffer.
 */
function compactKeys(keys: Map<string, Uint8Array | null>): Map<string, Uint8Array | null> {
  return new Map([...keys].map(([id, key]) => [id, key && Uint8Array.from(key)]));
}

/**
 * `AUDIT_WORKERS`: 0 = in the event loop's thread. Unset: a thread per core but one from 4 cores on,
 * in thread below — measured on 2 vCPUs, the pool's extra CPU (clones, hand-offs) costs more than
 * its parallelism gains there (docs/benchmarks.md § Audit append).
 */
export function recordPreparation(
  pseudonymSecret: string,
  workers: number = defaultPreparationWorkers(),
): RecordPreparation {
  return workers > 0
    ? new WorkerPoolPreparation(pseudonymSecret, workers)
    : new InThreadPreparation(new PayloadPrivacy(pseudonymSecret));
}

export function defaultPreparationWorkers(cores = availableParallelism()): number {
  return cores >= 4 ? cores - 1 : 0;
}
