/**
 * How long a fetch may wait on the broker when there is nothing to read: every consumer of this lib
 * (EventConsumer, BatchConsumer, TopicTail, RawTopicReader) asks with `minBytes: 1`, so the broker
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
