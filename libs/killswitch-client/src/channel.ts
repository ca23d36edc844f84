/**
 * The Redis pub/sub channel kill-switch changes are mirrored on. Isolated like every other key by
 * the Redis key prefix and the topic prefix, so test runs and benches never hear each other.
 */
export function killSwitchChannel(config: { REDIS_KEY_PREFIX: string; KAFKA_TOPIC_PREFIX: string }): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}killswitch:changes`;
}
