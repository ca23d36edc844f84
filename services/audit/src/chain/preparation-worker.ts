import { once } from 'node:events';
import { workerData } from 'node:worker_threads';
import { PayloadPrivacy } from '../privacy/payload-privacy';
import { PreparedRecord, prepareBatch } from './append-steps';
import type { KeysReply, PreparationTask, PreparationWorkerData } from './record-preparation';

/** A thread of {@link WorkerPoolPreparation}: the same pure steps, on a slice of a batch. */
const privacy = new PayloadPrivacy((workerData as PreparationWorkerData).pseudonymSecret);

export function prepare({ items, at, keys: port }: PreparationTask): Promise<PreparedRecord[]> {
  return prepareBatch(privacy, items, at, async (wanted) => {
    const reply = once(port, 'message') as Promise<[KeysReply]>;
    port.postMessage(wanted);
    const [answer] = await reply;
    port.close();
    if ('failed' in answer) throw new Error(`the append stopped: ${answer.failed}`);
    return answer.keys;
  });
}
