import { createRequire } from 'node:module';

/** The one kafkajs release this repair is written against (package.json pins it). */
export const KAFKAJS_VERSION_REPAIRED = '2.2.4';

/** The part of kafkajs's internal RequestQueue (src/network/requestQueue) the repair touches. */
interface RequestQueueLike {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

type RequestQueueClass = { prototype: RequestQueueLike } & Record<symbol, boolean | undefined>;

const REPAIRED = Symbol.for('agentops.kafkajs.idle-timer-repaired');

/**
 * kafkajs 2.2.4, its last release, re-arms a timer on every connection's request queue after each
 * check, whether or not a request is waiting: with nothing pending and no throttle it computes a
 * negative delay, Node runs it after 1 ms, and the check schedules itself again — a 1 kHz loop per
 * connection for the life of the process (tulios/kafkajs#1556, #1604; the fix in #1667 was never
 * released). A service holds 4–14 connections, so its event loop woke a thousand times a second
 * doing nothing. A waiting request is all the timer is for (an in-flight limit or a broker's
 * throttle): `push` schedules the check when it has to queue one, and every response runs it. So
 * with nothing pending no check is scheduled; the rest of the method is kafkajs's own.
 *
 * Applied once per process, before the first client (createKafka); a kafkajs other than the one it
 * was written against is left alone and reported, so an upgrade revisits it.
 */
export function repairKafkajsIdleTimer(): { repaired: boolean; version: string } {
  const load = createRequire(__filename);
  const version = (load('kafkajs/package.json') as { version: string }).version;
  if (version !== KAFKAJS_VERSION_REPAIRED) return { repaired: false, version };
  const RequestQueue = load('kafkajs/src/network/requestQueue') as RequestQueueClass;
  if (!RequestQueue[REPAIRED]) {
    const schedule = RequestQueue.prototype.scheduleCheckPendingRequests;
    RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
      if (this.pending.length === 0) return;
      schedule.call(this);
    };
    RequestQueue[REPAIRED] = true;
  }
  return { repaired: true, version };
}
