import { EventEnvelope } from '@agentops/contracts';
import {
  BatchHandler,
  BatchPolicy,
  ConsumedEvent,
  RawPartitionMessage,
  processPartitionBatch,
} from './batch-processor';
import { encodeEvent } from './codec';
import { DeadLetterRequest } from './dead-letter';
import { createEvent } from './envelope-factory';
import { BatchItemError, PermanentHandlerError } from './errors';
import { newEventId } from './ids';
import { silentLogger } from './logger';

/**
 * processPartitionBatch without a broker: a scripted partition, a handler that records what it
 * applied, and the offsets the port was told to resolve. The real-broker side (commit, redelivery
 * after a crash, the DLQ topic) is in batch-consumer.integration-spec.ts.
 */
const policy: BatchPolicy = {
  maxChunkSize: 3,
  maxAttempts: 3,
  retryBaseDelayMs: 1,
  deadLetterReasons: ['malformed', 'schema_violation', 'unknown_type', 'unauthorized_source'],
  onExhausted: 'dead-letter',
  heartbeatIntervalMs: 60_000,
};

function intent(n: number, source = 'agentops/ingest'): EventEnvelope {
  const agent = {
    id: `agent-${n % 2}`,
    tenantId: 'acme',
    role: 'pricing' as const,
    version: '1',
    region: 'eu',
    labels: {},
  };
  return createEvent(
    'agentops.intent.proposed.v1',
    {
      intentId: newEventId(),
      action: 'pricing.set_price',
      target: { type: 'sku', id: `SKU-${n}` },
      params: { n },
      confidence: 0.9,
      justification: 'test',
      dataUsed: [],
      agent,
      proposedAt: new Date().toISOString(),
    },
    { source, tenantid: 'acme', agentid: agent.id },
  );
}

function message(offset: number, event: EventEnvelope | 'garbage'): RawPartitionMessage {
  if (event === 'garbage')
    return { offset: String(offset), key: Buffer.from('k'), value: Buffer.from('{not json'), timestamp: '0' };
  const m = encodeEvent(event, (event.agentid as string) ?? 'k');
  return {
    offset: String(offset),
    key: Buffer.from(m.key),
    value: m.value,
    headers: m.headers,
    timestamp: '0',
  };
}

function partition(messages: RawPartitionMessage[]) {
  const resolved: string[] = [];
  const deadLetters: DeadLetterRequest[] = [];
  let continuing = true;
  const port = {
    groupId: 'g',
    topic: 't.agentops.intents.v1',
    baseTopic: 'agentops.intents.v1',
    partition: 0,
    messages,
    resolveOffset: (o: string) => void resolved.push(o),
    heartbeat: async () => undefined,
    shouldContinue: () => continuing,
    deadLetter: async (r: DeadLetterRequest[]) => void deadLetters.push(...r),
  };
  return { port, resolved, deadLetters, stop: () => (continuing = false) };
}

const offsetsOf = (items: ConsumedEvent[]) => items.map((i) => Number(i.origin.offset));

describe('processPartitionBatch', () => {
  it('hands events over in offset order, in chunks, and resolves each chunk after its effects', async () => {
    const { port, resolved } = partition([0, 1, 2, 3, 4].map((n) => message(n, intent(n))));
    const applied: number[][] = [];
    const handler: BatchHandler = async (items) => {
      expect(resolved).toEqual(applied.length ? [String(applied.flat().at(-1))] : []);
      applied.push(offsetsOf(items));
    };
    await processPartitionBatch(port, handler, policy, silentLogger);
    expect(applied).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(resolved).toEqual(['2', '4']);
  });

  it('dead-letters a malformed message and a forged source with their reasons, and goes on', async () => {
    const { port, resolved, deadLetters } = partition([
      message(0, intent(0)),
      message(1, 'garbage'),
      message(2, intent(2, 'agentops/console')),
      message(3, intent(3)),
    ]);
    const applied: number[] = [];
    await processPartitionBatch(
      port,
      async (items) => void applied.push(...offsetsOf(items)),
      policy,
      silentLogger,
    );
    expect(applied).toEqual([0, 3]);
    expect(deadLetters.map((d) => [d.origin.offset, d.reason])).toEqual([
      ['1', 'malformed'],
      ['2', 'unauthorized_source'],
    ]);
    expect(deadLetters[0]!.value?.toString()).toBe('{not json'); // the original kept whole
    expect(resolved.at(-1)).toBe('3');
  });

  it('only logs the refusals it is not told to dead-letter', async () => {
    const { port, deadLetters, resolved } = partition([
      message(0, 'garbage'),
      message(1, intent(1, 'agentops/console')),
    ]);
    await processPartitionBatch(
      port,
      async () => undefined,
      { ...policy, deadLetterReasons: ['unauthorized_source'] },
      silentLogger,
    );
    expect(deadLetters.map((d) => d.reason)).toEqual(['unauthorized_source']);
    expect(resolved).toEqual(['1']);
  });

  it('dead-letters every refusal on a topic it is told it owns, whatever the reasons say', async () => {
    const { port, deadLetters } = partition([message(0, 'garbage')]);
    await processPartitionBatch(
      port,
      async () => undefined,
      { ...policy, deadLetterReasons: ['unauthorized_source'], deadLetterAllOn: [port.baseTopic] },
      silentLogger,
    );
    expect(deadLetters.map((d) => d.reason)).toEqual(['malformed']);
  });

  it('retries a failing chunk, then narrows it down: the bad message dead-lettered, the others applied once, in order', async () => {
    const { port, deadLetters, resolved } = partition([0, 1, 2].map((n) => message(n, intent(n))));
    const applied: number[] = [];
    let calls = 0;
    await processPartitionBatch(
      port,
      async (items) => {
        calls++;
        if (offsetsOf(items).includes(1)) throw new Error('transient forever');
        applied.push(...offsetsOf(items));
      },
      policy,
      silentLogger,
    );
    expect(applied).toEqual([0, 2]);
    expect(deadLetters.map((d) => [d.origin.offset, d.reason])).toEqual([['1', 'retries_exhausted']]);
    expect(calls).toBe(policy.maxAttempts /* whole chunk */ + 1 + policy.maxAttempts + 1);
    expect(resolved.at(-1)).toBe('2');
  });

  it('keeps the applied prefix of a BatchItemError and never hands it over again', async () => {
    const { port, deadLetters } = partition([0, 1, 2].map((n) => message(n, intent(n))));
    const seen: number[][] = [];
    await processPartitionBatch(
      port,
      async (items) => {
        seen.push(offsetsOf(items));
        if (items[0]!.origin.offset === '0')
          throw new BatchItemError(1, new PermanentHandlerError('refused'));
      },
      policy,
      silentLogger,
    );
    expect(seen).toEqual([[0, 1, 2], [2]]);
    expect(deadLetters.map((d) => [d.origin.offset, d.reason])).toEqual([['1', 'handler_rejected']]);
  });

  it('after an applied prefix, gives the rest its own attempts, the failure already had counted as one', async () => {
    const { port, deadLetters, resolved } = partition([0, 1, 2].map((n) => message(n, intent(n))));
    const seen: number[][] = [];
    await processPartitionBatch(
      port,
      async (items) => {
        seen.push(offsetsOf(items));
        const at = offsetsOf(items).indexOf(1);
        if (at >= 0) throw new BatchItemError(at, new Error('transient forever'));
      },
      policy,
      silentLogger,
    );
    // [0,1,2] applies 0 and fails on 1: that is the first of 1's three attempts.
    expect(seen).toEqual([[0, 1, 2], [1, 2], [1, 2], [2]]);
    expect(deadLetters.map((d) => [d.origin.offset, d.reason])).toEqual([['1', 'retries_exhausted']]);
    expect(resolved).toEqual(['0', '1', '2']);
  });

  it('holds a chunk whose store is unreachable past its attempts, and applies it once the store is back', async () => {
    const { port, deadLetters, resolved } = partition([0, 1].map((n) => message(n, intent(n))));
    const applied: number[] = [];
    let calls = 0;
    // Down for more than two rounds of attempts, as PostgreSQL stopped for 30 s is.
    const downFor = 2 * policy.maxAttempts + 1;
    // What the metrics see: one hold, begun after the first round failed, ended once the chunk went through.
    const holds: { heldSince: number | null; calls: number; applied: number }[] = [];
    await processPartitionBatch(
      port,
      async (items) => {
        if (++calls <= downFor)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        applied.push(...offsetsOf(items));
      },
      { ...policy, outagePauseMs: 1 },
      silentLogger,
      {
        onHold: (groupId, topic, partition, heldSince) => {
          expect([groupId, topic, partition]).toEqual(['g', 't.agentops.intents.v1', 0]);
          holds.push({ heldSince, calls, applied: applied.length });
        },
      },
    );
    expect(deadLetters).toEqual([]);
    expect(applied).toEqual([0, 1]);
    expect(calls).toBe(downFor + 1);
    expect(resolved.at(-1)).toBe('1');
    expect(holds).toEqual([
      { heldSince: expect.any(Number), calls: policy.maxAttempts, applied: 0 },
      { heldSince: null, calls: downFor + 1, applied: 2 },
    ]);
  });

  it('reports no hold for a failure of the message’s own, and ends a hold when the partition is let go', async () => {
    const own = partition([0].map((n) => message(n, intent(n))));
    const holds: (number | null)[] = [];
    const onHold = (_g: string, _t: string, _p: number, since: number | null) => void holds.push(since);
    await processPartitionBatch(
      own.port,
      async () => {
        throw new Error('value too long');
      },
      policy,
      silentLogger,
      { onHold },
    );
    expect(own.deadLetters.map((d) => d.reason)).toEqual(['retries_exhausted']);
    expect(holds).toEqual([]);

    // Revoked while the store is still down: the chunk stays unresolved and the hold ends with it.
    const revoked = partition([0].map((n) => message(n, intent(n))));
    let calls = 0;
    await expect(
      processPartitionBatch(
        revoked.port,
        async () => {
          if (++calls === 2 * policy.maxAttempts) revoked.stop();
          throw Object.assign(new Error('Connection terminated unexpectedly'), {});
        },
        { ...policy, outagePauseMs: 1 },
        silentLogger,
        { onHold },
      ),
    ).rejects.toThrow('Connection terminated');
    expect(revoked.resolved).toEqual([]);
    expect(holds).toEqual([expect.any(Number), null]);
  });

  it('with onExhausted=redeliver, throws instead of skipping and leaves the chunk unresolved', async () => {
    const { port, deadLetters, resolved } = partition([0, 1].map((n) => message(n, intent(n))));
    await expect(
      processPartitionBatch(
        port,
        async () => {
          throw new Error('database down');
        },
        { ...policy, onExhausted: 'redeliver' },
        silentLogger,
      ),
    ).rejects.toThrow('database down');
    expect(deadLetters).toEqual([]);
    expect(resolved).toEqual([]);
  });

  it('stops between chunks once told to, leaving the rest unresolved for the next owner', async () => {
    const p = partition([0, 1, 2, 3].map((n) => message(n, intent(n))));
    const applied: number[] = [];
    await processPartitionBatch(
      p.port,
      async (items) => {
        applied.push(...offsetsOf(items));
        p.stop();
      },
      policy,
      silentLogger,
    );
    expect(applied).toEqual([0, 1, 2]);
    expect(p.resolved).toEqual(['2']);
  });
});
