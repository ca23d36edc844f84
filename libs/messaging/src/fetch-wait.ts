/**
 * How long a fetch may wait on the broker when there is nothing to read: every consumer of this lib
 * (EventConsumer, BatchConsumer, TopicTail, RawTopicReader) asks with `minBytes: 1` unless it says
 * `batchedFetch` (BATCHED_FETCH_MIN_BYTES below), so the broker
 * answers a fetch as soon as one record reaches any of its partitions, and this wait only bounds
 * how often an idle consumer asks. It costs no latency, and each idle fetch costs a request and
 * response on both sides: at 5 ms, one idle group made ~200 fetches/s (12 % of a core in the
 * service, and most of the broker's CPU). 500 ms is Kafka's own `fetch.max.wait.ms`.
 *
 * What does wait for it: kafkajs heartbeats and commits between fetches (on the same connection),
 * so a rebalance is noticed up to this much later, and `stop()` returns once the fetch in flight
 * has — both far below the groups' session timeouts. A setting's own `maxWaitTimeInMs` is for
 * benches and tests that compare waits or stop consumers often; services use this default.
 */
export const FETCH_MAX_WAIT_MS = 500;

/**
 * What a consumer off the decision path asks the broker for before it is answered (its `minBytes`,
 * when the consumer says `batchedFetch`): the fetch returns once this much has arrived or after
 * FETCH_MAX_WAIT_MS, whichever is first. At a few intents/s such a group wakes twice a second for
 * all it missed instead of once per record — and not at the instant the decision path needs the
 * two cores (every intent and decision otherwise woke a dozen groups at once, in every service);
 * at thousands/s it reads 64 KiB at a time. What it costs is up to FETCH_MAX_WAIT_MS of delay, so
 * only a consumer nobody waits on, and that joins no two topics as it reads them, may ask for it
 * (audit, breakers, counters): a batched fetch hands records of different topics over together, in
 * either order.
 */
export const BATCHED_FETCH_MIN_BYTES = 64 * 1024;
