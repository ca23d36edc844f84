import { envelopeJsonSchema, eventJsonSchemas } from './json-schema';
import { EventDefinitions } from './registry';

interface ObjectSchema {
  $schema?: string;
  type?: string;
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
}

describe('eventJsonSchemas', () => {
  const schemas = eventJsonSchemas() as Record<string, ObjectSchema>;

  it('generates one schema for every registered event type, and nothing else', () => {
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(EventDefinitions).sort());
  });

  it.each(Object.keys(EventDefinitions))('%s is a draft-07 object schema with properties', (type) => {
    const schema = schemas[type];
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties ?? {}).length).toBeGreaterThan(0);
    for (const field of schema.required ?? []) expect(schema.properties).toHaveProperty([field]);
    // Serialisable as-is: no functions, no cycles, no undefined left behind.
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('carries the constraints of the zod definitions (intent.proposed)', () => {
    const schema = schemas['agentops.intent.proposed.v1'];
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'intentId',
        'action',
        'target',
        'confidence',
        'justification',
        'agent',
        'proposedAt',
      ]),
    );
    expect(schema.properties?.confidence).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(schema.properties?.intentId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(schema.properties?.proposedAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(String(schema.properties?.action.pattern)).toContain('[a-z]');
  });

  it('describes the input side: fields with defaults are optional for producers', () => {
    const proposed = schemas['agentops.intent.proposed.v1'];
    expect(proposed.required).not.toContain('params');
    expect(proposed.required).not.toContain('dataUsed');
    expect(schemas['agentops.intent.decided.v1'].required).not.toContain('obligations');
  });

  it('lists the verdicts and deciders of a decision as enums', () => {
    const decided = schemas['agentops.intent.decided.v1'];
    expect(decided.properties?.verdict.enum).toEqual(['allow', 'deny', 'escalate', 'modify']);
    expect(decided.properties?.decidedBy.enum).toEqual(
      expect.arrayContaining(['policy', 'human', 'killswitch', 'breaker', 'timeout']),
    );
  });

  it('is deterministic (the --check of the docs generator depends on it)', () => {
    expect(JSON.stringify(eventJsonSchemas())).toBe(JSON.stringify(schemas));
  });
});

describe('envelopeJsonSchema', () => {
  it('requires the mandatory CloudEvents attributes and leaves the extensions optional', () => {
    const schema = envelopeJsonSchema() as ObjectSchema;
    expect(schema.type).toBe('object');
    expect(schema.required?.sort()).toEqual(['id', 'source', 'specversion', 'tenantid', 'time', 'type']);
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['subject', 'agentid', 'correlationid', 'causationid', 'traceparent']),
    );
    expect(schema.properties?.specversion).toMatchObject({ const: '1.0' });
  });
});
