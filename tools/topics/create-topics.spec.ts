import { createAllTopics, createTopicsOptionsFromEnv, describeError, main } from './create-topics';

describe('createTopicsOptionsFromEnv', () => {
  it('applies the defaults', () => {
    expect(createTopicsOptionsFromEnv({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      prefix: '',
      replicationFactor: 1,
      minInsyncReplicas: 1,
    });
  });

  it('reads every variable', () => {
    expect(
      createTopicsOptionsFromEnv({
        KAFKA_BROKERS: 'k0:9092, k1:9092,,k2:9092',
        KAFKA_TOPIC_PREFIX: 'ci-42.',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '2',
      }),
    ).toEqual({
      brokers: ['k0:9092', 'k1:9092', 'k2:9092'],
      prefix: 'ci-42.',
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
  });

  it.each([
    [{ KAFKA_BROKERS: ' , ' }, /^KAFKA_BROKERS: /],
    [{ KAFKA_TOPIC_PREFIX: 'bad prefix' }, /^KAFKA_TOPIC_PREFIX: /],
    [{ KAFKA_REPLICATION_FACTOR: 'three' }, /^KAFKA_REPLICATION_FACTOR: must be a positive integer/],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, /^KAFKA_REPLICATION_FACTOR: /],
    [{ KAFKA_MIN_INSYNC_REPLICAS: '1.5' }, /^KAFKA_MIN_INSYNC_REPLICAS: /],
    [{ KAFKA_MIN_INSYNC_REPLICAS: '-1' }, /^KAFKA_MIN_INSYNC_REPLICAS: /],
  ])('names the bad variable in %p', (env, message) => {
    expect(() => createTopicsOptionsFromEnv(env)).toThrow(message);
  });

  it('rejects min.insync.replicas above the replication factor', () => {
    expect(() =>
      createTopicsOptionsFromEnv({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '4' }),
    ).toThrow(/^KAFKA_MIN_INSYNC_REPLICAS \(4\) must not exceed KAFKA_REPLICATION_FACTOR \(3\)$/);
  });
});

describe('createAllTopics', () => {
  it('refuses min.insync.replicas above the replication factor before touching the broker', async () => {
    await expect(
      createAllTopics({ brokers: ['127.0.0.1:1'], prefix: '', replicationFactor: 1, minInsyncReplicas: 2 }),
    ).rejects.toThrow(/KAFKA_MIN_INSYNC_REPLICAS \(2\) must not exceed KAFKA_REPLICATION_FACTOR \(1\)/);
  });
});

describe('describeError', () => {
  function topicError(topic: string, message: string): Error {
    return Object.assign(new Error(message), { topic });
  }

  it('names the topic when one topic failed for a reason', () => {
    const aggregate = Object.assign(new Error('Topic creation errors'), {
      errors: [
        topicError('agentops.intents.v1', 'Replication-factor is invalid'),
        topicError('agentops.dlq.v1', 'Policy violation'),
      ],
    });
    expect(describeError(aggregate)).toBe(
      'Topic creation errors: agentops.intents.v1: Replication-factor is invalid; agentops.dlq.v1: Policy violation',
    );
  });

  it('counts the topics that share a reason instead of listing them', () => {
    const errors = ['a', 'b', 'c'].map((t) => topicError(t, 'Replication-factor is invalid'));
    const aggregate = Object.assign(new Error('Topic creation errors'), { errors });
    expect(describeError(aggregate)).toBe('Topic creation errors: Replication-factor is invalid (3 topics)');
  });

  it('keeps plain errors and non-errors on one line', () => {
    expect(describeError(new Error('Connection error:\n  connect ECONNREFUSED'))).toBe(
      'Connection error: connect ECONNREFUSED',
    );
    expect(describeError('boom')).toBe('boom');
  });
});

describe('main', () => {
  it('names missing Kafka credentials before touching the broker', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await expect(main([], { KAFKA_BROKERS: '127.0.0.1:1' })).resolves.toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(/invalid configuration: KAFKA_SASL_USERNAME: is required/);
  });
});
