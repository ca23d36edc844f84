import { MessageDeadLetteredV1 } from '@agentops/contracts';
import { createHash } from 'node:crypto';
import { decodeEvent } from './codec';
import { MAX_KEPT_ORIGINAL_BYTES, RejectedMessage, deadLetterMessage } from './dead-letter';

const BROKER_MAX_MESSAGE_BYTES = 1024 * 1024;

const rejected = (value: Buffer): RejectedMessage => ({
  origin: { topic: 'agentops.intents.v1', partition: 0, offset: '42', key: 'k', consumerGroup: 'guardrail' },
  headers: { ce_id: 'x', ce_tenantid: 'maison' },
  value,
  reason: 'malformed',
  error: 'message body of 900000 bytes is over the limit',
});

const record = (value: Buffer) => {
  const message = deadLetterMessage(rejected(value), 'agentops/guardrail');
  const size = Buffer.byteLength(message.value as Buffer | string);
  return {
    size,
    data: decodeEvent(message.headers!, Buffer.from(message.value as Buffer)).data as MessageDeadLetteredV1,
  };
};

describe('deadLetterMessage', () => {
  it('keeps a small original whole, for inspection and replay', () => {
    const { data } = record(Buffer.from('{"not": json'));
    expect(Buffer.from(data.originalValueBase64!, 'base64').toString()).toBe('{"not": json');
    expect(data.originalTruncated).toBeUndefined();
  });

  it('keeps the first bytes, size and hash of an original too large for a DLQ record the broker accepts', () => {
    const original = Buffer.alloc(900_000, 0x61);
    const { size, data } = record(original);
    expect(size).toBeLessThan(BROKER_MAX_MESSAGE_BYTES);
    // (Buffer.equals: jest's deep equality walks a quarter-megabyte byte by byte)
    expect(
      Buffer.from(data.originalValueBase64!, 'base64').equals(original.subarray(0, MAX_KEPT_ORIGINAL_BYTES)),
    ).toBe(true);
    expect(data.originalTruncated).toEqual({
      bytes: 900_000,
      sha256: createHash('sha256').update(original).digest('hex'),
    });
  });
});
