import { createRequire } from 'node:module';
import { repairKafkajsIdleTimer } from './kafkajs-idle-timer';

interface Queue {
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null | undefined;
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}
interface Entry {
  correlationId: number;
  apiName: string;
  apiKey: number;
  apiVersion: number;
  resolve: () => void;
  reject: () => void;
}
type QueueClass = new (options: object) => Queue;

const load = createRequire(__filename);
const QUEUE_MODULE = 'kafkajs/src/network/requestQueue';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** kafkajs's RequestQueue as its file is now (a fresh copy when `fresh`: as released). */
function requestQueueClass(fresh: boolean): QueueClass {
  if (fresh) delete load.cache[load.resolve(QUEUE_MODULE)];
  return load(QUEUE_MODULE) as QueueClass;
}

function queueOf(Queue: QueueClass, maxInFlightRequests: number | null = null): Queue {
  return new Queue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9',
    logger: quiet,
  });
}

function request(correlationId: number, sent: number[]) {
  const entry: Entry = {
    correlationId,
    apiName: 'Fetch',
    apiKey: 1,
    apiVersion: 11,
    resolve: () => undefined,
    reject: () => undefined,
  };
  return { entry, expectResponse: true, sendRequest: () => sent.push(correlationId) };
}

const answer = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

describe('repairKafkajsIdleTimer', () => {
  let queue: Queue | undefined;
  afterEach(() => {
    queue?.destroy();
    queue = undefined;
    jest.useRealTimers();
  });

  it('kafkajs as released arms a timer after a response with nothing pending (the loop it repairs)', () => {
    queue = queueOf(requestQueueClass(true));
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest(answer(1));
    expect(queue.pending).toHaveLength(0);
    expect(queue.throttleCheckTimeoutId).toBeTruthy();
  });

  it('applies to the pinned kafkajs and arms no timer when nothing is pending', () => {
    requestQueueClass(true);
    expect(repairKafkajsIdleTimer()).toEqual({ repaired: true, version: '2.2.4' });
    queue = queueOf(requestQueueClass(false));
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest(answer(1));
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeFalsy();
  });

  it('is applied once however often it is called', () => {
    requestQueueClass(true);
    repairKafkajsIdleTimer();
    const once = requestQueueClass(false).prototype;
    const schedule = (once as unknown as Queue & { scheduleCheckPendingRequests: unknown })
      .scheduleCheckPendingRequests;
    repairKafkajsIdleTimer();
    expect((once as unknown as { scheduleCheckPendingRequests: unknown }).scheduleCheckPendingRequests).toBe(
      schedule,
    );
  });

  it('still sends a request queued behind the in-flight limit when the one in flight is answered', () => {
    jest.useFakeTimers();
    requestQueueClass(true);
    repairKafkajsIdleTimer();
    queue = queueOf(requestQueueClass(false), 1);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest(answer(1));
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest(answer(2));
    // The check armed while request 2 waited runs once, finds nothing, and arms no other.
    jest.advanceTimersByTime(100);
    expect(queue.throttleCheckTimeoutId).toBeFalsy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still sends a request queued while the broker throttles, once the throttle ends', () => {
    jest.useFakeTimers();
    requestQueueClass(true);
    repairKafkajsIdleTimer();
    queue = queueOf(requestQueueClass(false));
    const sent: number[] = [];
    queue.maybeThrottle(50);
    queue.push(request(1, sent));
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(60);
    expect(sent).toEqual([1]);
    expect(queue.pending).toHaveLength(0);
  });
});
