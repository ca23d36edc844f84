import { EventData, EventEnvelope } from '@agentops/contracts';
import {
  MAX_EVENT_BYTES,
  decodeEvent,
  eventByteLimit,
  decodeTrustedEvent,
  encodeEvent,
  headersToStrings,
} from './codec';
import { createEvent } from './envelope-factory';
import { PoisonMessageError, PoisonReason } from './errors';

const INTENT_ID = '0190f5a2-7b3c-7def-8abc-1234567890ab';
const CAUSE_ID = '0190f5a2-7b3c-7def-9abc-1234567890cd';
const PARENT_TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function proposal(): EventData<'agentops.intent.proposed.v1'> {
  return {
    intentId: INTENT_ID,
    action: 'pricing.set_price',
    target: { type: 'sku', id: 'SKU-123' },
    params: { price: 19.99 },
    confidence: 0.9,
    justification: 'Competitor dropped price',
    dataUsed: [],
    agent: {
      id: 'pricing-bot-1',
      tenantId: 'acme',
      role: 'pricing',
      version: '1.0.0',
      region: 'eu',
      labels: {},
    },
    proposedAt: '2025-01-15T10:00:00.000Z',
  };
}

function proposedEvent(): EventEnvelope {
  return createEvent('agentops.intent.proposed.v1', proposal(), {
    source: 'agentops/ingest',
    tenantid: 'acme',
    agentid: 'pricing-bot-1',
    correlationid: INTENT_ID,
    cause: { id: CAUSE_ID, traceparent: PARENT_TRACE },
    time: new Date('2025-01-15T10:00:01.000Z'),
  });
}

function poison(fn: () => unknown): PoisonMessageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PoisonMessageError);
    return error as PoisonMessageError;
  }
  throw new Error('expected a PoisonMessageError, but decoding succeeded');
}

function expectPoison(fn: () => unknown, reason: PoisonReason): PoisonMessageError {
  const error = poison(fn);
  expect(error.reason).toBe(reason);
  expect(error.name).toBe('PoisonMessageError');
  return error;
}

describe('encodeEvent', () => {
  it('puts the attributes in ce_* headers and only the data in the JSON body', () => {
    const event = proposedEvent();
    const encoded = encodeEvent(event, 'pricing-bot-1');
    expect(encoded.key).toBe('pricing-bot-1');
    expect(encoded.headers).toEqual({
      'content-type': 'application/json',
      ce_id: event.id,
      ce_source: 'agentops/ingest',
      ce_type: 'agentops.intent.proposed.v1',
      ce_specversion: '1.0',
      ce_time: '2025-01-15T10:00:01.000Z',
      ce_tenantid: 'acme',
      ce_agentid: 'pricing-bot-1',
      ce_correlationid: INTENT_ID,
      ce_causationid: CAUSE_ID,
      traceparent: event.traceparent,
    });
    expect(JSON.parse(encoded.value.toString('utf8'))).toEqual(event.data);
  });

  it('omits headers for absent optional attributes', () => {
    const event = createEvent('agentops.intent.proposed.v1', proposal(), { source: 's', tenantid: 't' });
    const { headers } = encodeEvent(event, 'k');
    expect(headers).not.toHaveProperty('ce_subject');
    expect(headers).not.toHaveProperty('ce_agentid');
    expect(headers).not.toHaveProperty('ce_causationid');
    expect(headers).not.toHaveProperty('ce_correlationid');
  });
});

describe('decodeEvent', () => {
  it('round-trips an encoded event', () => {
    const event = proposedEvent();
    const encoded = encodeEvent(event, 'pricing-bot-1');
    const decoded = decodeEvent(encoded.headers, encoded.value);
    expect(decoded).toEqual(event);
    expect(decoded.data).toEqual(proposal());
  });

  it('round-trips through Kafka-shaped headers (Buffers, repeated values)', () => {
    const event = proposedEvent();
    const encoded = encodeEvent(event, 'k');
    const raw: Record<string, Buffer | Buffer[]> = Object.fromEntries(
      Object.entries(encoded.headers).map(([name, value]) => [name, Buffer.from(value)]),
    );
    raw.ce_source = [Buffer.from('stale'), Buffer.from('agentops/ingest')];
    const headers = headersToStrings(raw);
    expect(headers.ce_source).toBe('agentops/ingest');
    expect(decodeEvent(headers, encoded.value)).toEqual(event);
  });

  it('applies schema defaults to the decoded data', () => {
    const encoded = encodeEvent(proposedEvent(), 'k');
    const body = JSON.parse(encoded.value.toString('utf8'));
    delete body.params;
    delete body.dataUsed;
    const decoded = decodeEvent(encoded.headers, Buffer.from(JSON.stringify(body)));
    expect(decoded.data).toMatchObject({ params: {}, dataUsed: [] });
  });

  describe('rejects poison messages', () => {
    const good = () => encodeEvent(proposedEvent(), 'k');

    it('malformed: body is not JSON', () => {
      const error = expectPoison(
        () => decodeEvent(good().headers, Buffer.from('{"intentId": ')),
        'malformed',
      );
      expect(error.message).toMatch(/not JSON/);
    });

    it.each([
      ['an empty buffer', Buffer.alloc(0)],
      ['a null value (tombstone)', null],
    ])('malformed: %s as body', (_label, value) => {
      const error = expectPoison(() => decodeEvent(good().headers, value), 'malformed');
      expect(error.message).toMatch(/empty/);
    });

    it('malformed: a body over the size limit, refused before it is parsed', () => {
      const { headers } = encodeEvent(proposedEvent(), 'pricing-bot-1');
      const parse = jest.spyOn(JSON, 'parse');
      try {
        const error = poison(() => decodeEvent(headers, Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20)));
        expect(error.reason).toBe('malformed');
        expect(error.message).toBe(
          `message body of ${MAX_EVENT_BYTES + 1} bytes is over the ${MAX_EVENT_BYTES}-byte limit`,
        );
        expect(parse).not.toHaveBeenCalled();
      } finally {
        parse.mockRestore();
      }
    });

    it("a topic's own larger limit lets a larger body through (knowledge documents)", () => {
      expect(eventByteLimit('agentops.knowledge.v1')).toBe(16 * 1024 * 1024);
      expect(eventByteLimit('agentops.intents.v1')).toBe(MAX_EVENT_BYTES);
    });

    it('malformed: missing ce_id, named in the issues', () => {
      const { headers, value } = good();
      delete headers.ce_id;
      const error = expectPoison(() => decodeEvent(headers, value), 'malformed');
      expect(error.issues.map((i) => i.path)).toEqual(['id']);
      expect(error.message).toContain('id:');
    });

    it('malformed: several bad headers are all named', () => {
      const { headers, value } = good();
      headers.ce_specversion = '0.3';
      headers.ce_time = 'yesterday';
      headers.traceparent = 'not-a-trace';
      const error = expectPoison(() => decodeEvent(headers, value), 'malformed');
      expect(error.issues.map((i) => i.path).sort()).toEqual(['specversion', 'time', 'traceparent']);
    });

    it('malformed: a type that is not a versioned agentops name', () => {
      const { headers, value } = good();
      headers.ce_type = 'com.example.thing';
      const error = expectPoison(() => decodeEvent(headers, value), 'malformed');
      expect(error.issues.map((i) => i.path)).toEqual(['type']);
    });

    it('unknown_type: a well-formed but unregistered type', () => {
      const { headers, value } = good();
      headers.ce_type = 'agentops.intent.proposed.v9';
      const error = expectPoison(() => decodeEvent(headers, value), 'unknown_type');
      expect(error.message).toContain('agentops.intent.proposed.v9');
    });

    it('schema_violation: data that breaks the type schema, with the issue paths', () => {
      const { headers } = good();
      const body: Record<string, unknown> = { ...proposal(), confidence: 1.5, intentId: 'nope' };
      delete body.action;
      const error = expectPoison(
        () => decodeEvent(headers, Buffer.from(JSON.stringify(body))),
        'schema_violation',
      );
      expect(error.issues.map((i) => i.path).sort()).toEqual(['action', 'confidence', 'intentId']);
      expect(error.message).toContain('agentops.intent.proposed.v1');
      expect(error.message).toContain('confidence:');
    });

    it('schema_violation: valid JSON that is not an object', () => {
      const error = expectPoison(
        () => decodeEvent(good().headers, Buffer.from('[1,2,3]')),
        'schema_violation',
      );
      expect(error.issues.map((i) => i.path)).toEqual(['(root)']);
    });

    it('schema_violation: data of another type under this type', () => {
      const { headers } = good();
      headers.ce_type = 'agentops.outcome.reported.v1';
      const error = expectPoison(() => decodeEvent(headers, good().value), 'schema_violation');
      expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['outcomeId', 'status']));
    });
  });
});

describe('decodeTrustedEvent', () => {
  const encoded = (source: string) => {
    const event = { ...proposedEvent(), source };
    return encodeEvent(event, 'pricing-bot-1');
  };

  it('hands over an event whose source may produce it on its own topic', () => {
    const { headers, value } = encoded('agentops/ingest');
    expect(decodeTrustedEvent(headers, value, 'agentops.intents.v1').source).toBe('agentops/ingest');
  });

  it('refuses an intent from a source that may not propose, naming both', () => {
    const { headers, value } = encoded('agentops/guardrail');
    const error = expectPoison(
      () => decodeTrustedEvent(headers, value, 'agentops.intents.v1'),
      'unauthorized_source',
    );
    expect(error.message).toBe('agentops/guardrail may not produce agentops.intent.proposed.v1');
  });

  it('refuses an event on another topic than its type travels on', () => {
    const { headers, value } = encoded('agentops/ingest');
    expectPoison(() => decodeTrustedEvent(headers, value, 'agentops.decisions.v1'), 'unauthorized_source');
  });

  it('still reports a malformed message as malformed', () => {
    const { headers } = encoded('attacker');
    expectPoison(() => decodeTrustedEvent(headers, Buffer.from('{'), 'agentops.intents.v1'), 'malformed');
  });
});

describe('createEvent', () => {
  it('builds a valid envelope that continues the cause trace', () => {
    const event = proposedEvent();
    expect(event).toMatchObject({
      type: 'agentops.intent.proposed.v1',
      specversion: '1.0',
      time: '2025-01-15T10:00:01.000Z',
      causationid: CAUSE_ID,
      correlationid: INTENT_ID,
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.traceparent?.split('-')[1]).toBe(PARENT_TRACE.split('-')[1]);
    expect(event.traceparent).not.toBe(PARENT_TRACE);
  });

  it('refuses to produce invalid data', () => {
    const bad = { ...proposal(), confidence: 3 };
    expect(() => createEvent('agentops.intent.proposed.v1', bad, { source: 's', tenantid: 't' })).toThrow(
      /refusing to produce invalid agentops\.intent\.proposed\.v1: confidence/,
    );
  });
});
