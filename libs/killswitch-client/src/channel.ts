/**
 * The Redis pub/sub channel kill-switch changes are mirrored on. Isolated like every other key by
 * the Redis key prefix and the topic prefix, so test runs and benches never hear each other.
 */
export function killSwitchChannel(config: { REDIS_KEY_PREFIX: string; KAFKA_TOPIC_PREFIX: string }): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}killswitch:changes`;
}

/**
 * Where each enforcement point says it has applied a change (`KillSwitchApplied`, JSON): the flip
 * is confirmed instance by instance, and the propagation bench times it across processes.
 */
export function killSwitchAppliedChannel(config: {
  REDIS_KEY_PREFIX: string;
  KAFKA_TOPIC_PREFIX: string;
}): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}killswitch:applied`;
}

/** One instance's acknowledgement of a change it applied. */
export interface KillSwitchApplied {
  instance: string;
  switchId: string;
  kind: 'activated' | 'released';
  /** Epoch ms with sub-millisecond precision, on the instance's clock, when its set changed. */
  at: number;
}
