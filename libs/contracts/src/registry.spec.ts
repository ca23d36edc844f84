import { EnvelopeAttributes } from './envelope';
import { EventDefinitions, EventTypeName, EventTypes, eventDefinition, isKnownEventType } from './registry';
import { Topics, allTopics, baseTopicName, topicName } from './topics';
import { FieldIssue, describeIssues, formatIssues, parseWith } from './validation';
import { IntentProposedV1 } from './events/intent-proposed/schema';
import { IntentDecidedV1 } from './events/intent-decided/schema';
import { OutcomeReportedV1 } from './events/outcome-reported/schema';

const INTENT_ID = '0190f5a2-7b3c-7def-8abc-1234567890ab';
const OUTCOME_ID = '0190f5a2-7b3c-7def-9abc-1234567890cd';
const NOW = '2025-01-15T10:00:00.000Z';

function validIntentProposed(): Record<string, unknown> {
  return {
    intentId: INTENT_ID,
    action: 'pricing.set_price',
    target: { type: 'sku', id: 'SKU-123' },
    params: { price: 19.99, currency: 'EUR' },
    confidence: 0.87,
    justification: 'Competitor dropped price by 5%',
    dataUsed: [{ source: 'competitor-feed', dataClasses: ['pricing'], records: 12 }],
    agent: { id: 'pricing-bot-1', tenantId: 'acme', role: 'pricing', version: '1.4.0', region: 'eu-west' },
    proposedAt: NOW,
  };
}

function validIntentDecided(): Record<string, unknown> {
  return {
    intentId: INTENT_ID,
    agentId: 'pricing-bot-1',
    action: 'pricing.set_price',
    verdict: 'modify',
    reasons: [{ policyId: 'price-floor', policyVersion: '3', message: 'below floor', effect: 'modify' }],
    obligations: [{ type: 'cap', field: 'params.price', max: 21 }],
    modifiedParams: { price: 21 },
    decidedBy: 'policy',
    decidedAt: NOW,
    expiresAt: '2025-01-15T10:05:00.000Z',
  };
}

function validOutcomeReported(): Record<string, unknown> {
  return {
    outcomeId: OUTCOME_ID,
    intentId: INTENT_ID,
    agentId: 'pricing-bot-1',
    action: 'pricing.set_price',
    status: 'succeeded',
    executedParams: { price: 21 },
    reportedAt: NOW,
  };
}

function issuesOf(result: ReturnType<typeof parseWith>): FieldIssue[] {
  if (result.ok) throw new Error('expected the input to be rejected');
  return result.issues;
}

function paths(result: ReturnType<typeof parseWith>): string[] {
  return issuesOf(result).map((i) => i.path);
}

describe('event registry', () => {
  const definitions = Object.entries(EventDefinitions);
  const topicSpecs = Object.values(Topics);

  it('registers at least the event types ARCHITECTURE.md names', () => {
    expect(Object.keys(EventDefinitions)).toEqual(
      expect.arrayContaining([
        'agentops.intent.proposed.v1',
        'agentops.intent.decided.v1',
        'agentops.outcome.reported.v1',
        'agentops.outcome.verified.v1',
        'agentops.escalation.opened.v1',
        'agentops.escalation.resolved.v1',
        'agentops.killswitch.changed.v1',
        'agentops.audit.recorded.v1',
      ]),
    );
  });

  it.each(definitions)('%s is keyed by its own type and travels on a declared topic', (key, def) => {
    expect(def.type).toBe(key);
    // The very same spec object, not a look-alike: topic creation and AsyncAPI read from Topics.
    expect(topicSpecs).toContain(def.topic);
    expect(allTopics.map((t) => t.name)).toContain(def.topic.name);
    expect(def.summary.length).toBeGreaterThan(0);
  });

  it.each(definitions)('%s is a versioned agentops type name accepted by the envelope', (type) => {
    expect(type).toMatch(/^agentops\.[a-z_]+(\.[a-z_]+)+\.v[1-9]\d*$/);
    expect(EnvelopeAttributes.shape.type.safeParse(type).success).toBe(true);
  });

  it('puts the decision-path events on the topics ARCHITECTURE.md assigns', () => {
    expect(EventDefinitions['agentops.intent.proposed.v1'].topic.name).toBe('agentops.intents.v1');
    expect(EventDefinitions['agentops.intent.decided.v1'].topic.name).toBe('agentops.decisions.v1');
    expect(EventDefinitions['agentops.outcome.reported.v1'].topic.name).toBe('agentops.outcomes.v1');
    expect(EventDefinitions['agentops.outcome.verified.v1'].topic.name).toBe('agentops.verifications.v1');
    expect(EventDefinitions['agentops.killswitch.changed.v1'].topic.name).toBe('agentops.killswitch.v1');
    expect(EventDefinitions['agentops.audit.recorded.v1'].topic.name).toBe('agentops.audit.v1');
  });

  it('has no topic without an event type (every channel carries a message)', () => {
    const used = new Set(Object.values(EventDefinitions).map((d) => d.topic.name));
    expect(allTopics.filter((t) => !used.has(t.name)).map((t) => t.name)).toEqual([]);
  });

  it('EventTypes lists exactly the registered types', () => {
    expect(new Set(Object.values(EventTypes))).toEqual(new Set(Object.keys(EventDefinitions)));
    expect(Object.values(EventTypes)).toHaveLength(Object.keys(EventDefinitions).length);
  });

  it('isKnownEventType accepts registered types only', () => {
    for (const type of Object.keys(EventDefinitions)) expect(isKnownEventType(type)).toBe(true);
    expect(isKnownEventType('agentops.intent.proposed.v2')).toBe(false);
    expect(isKnownEventType('toString')).toBe(false);
    expect(isKnownEventType('')).toBe(false);
  });

  it('eventDefinition returns the registered definition', () => {
    const type: EventTypeName = 'agentops.intent.decided.v1';
    expect(eventDefinition(type)).toBe(EventDefinitions[type]);
  });
});

describe('topics', () => {
  it('have unique, versioned names and sane settings', () => {
    const names = allTopics.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of allTopics) {
      expect(t.name).toMatch(/^agentops\.[a-z.]+\.v\d+$/);
      expect(t.partitions).toBeGreaterThanOrEqual(1);
      expect(t.retentionMs === -1 || t.retentionMs > 0).toBe(true);
    }
  });

  it('compacts the state topics (kill switches, policies)', () => {
    expect(Topics.killswitch.cleanupPolicy).toBe('compact');
    expect(Topics.policies.cleanupPolicy).toBe('compact');
    expect(Topics.intents.cleanupPolicy).toBe('delete');
  });

  it('applies and strips the deployment prefix', () => {
    expect(topicName(Topics.intents)).toBe('agentops.intents.v1');
    expect(topicName(Topics.intents, 'test-1.')).toBe('test-1.agentops.intents.v1');
    expect(topicName('agentops.dlq.v1', 'x.')).toBe('x.agentops.dlq.v1');
    expect(baseTopicName('test-1.agentops.intents.v1', 'test-1.')).toBe('agentops.intents.v1');
    expect(baseTopicName('agentops.intents.v1', 'test-1.')).toBe('agentops.intents.v1');
    expect(baseTopicName('agentops.intents.v1')).toBe('agentops.intents.v1');
  });
});

describe('schemas: valid samples', () => {
  it('agentops.intent.proposed.v1 parses and fills defaults', () => {
    const input = validIntentProposed();
    delete input.params;
    const result = parseWith(IntentProposedV1, input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.action).toBe('pricing.set_price');
    expect(result.value.params).toEqual({});
    expect(result.value.agent.labels).toEqual({});
    expect(result.value.dataUsed[0].dataClasses).toEqual(['pricing']);
  });

  it('agentops.intent.decided.v1 parses and fills defaults', () => {
    const input = validIntentDecided();
    delete input.obligations;
    const result = parseWith(IntentDecidedV1, input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.verdict).toBe('modify');
    expect(result.value.obligations).toEqual([]);
    expect(result.value.reasons[0].mode).toBe('enforce');
  });

  it('agentops.outcome.reported.v1 parses', () => {
    const result = parseWith(OutcomeReportedV1, validOutcomeReported());
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ status: 'succeeded', executedParams: { price: 21 } }),
    });
  });

  it('the registry hands out the same schemas', () => {
    expect(parseWith(EventDefinitions['agentops.intent.proposed.v1'].schema, validIntentProposed()).ok).toBe(
      true,
    );
    expect(parseWith(EventDefinitions['agentops.intent.decided.v1'].schema, validIntentDecided()).ok).toBe(
      true,
    );
    expect(
      parseWith(EventDefinitions['agentops.outcome.reported.v1'].schema, validOutcomeReported()).ok,
    ).toBe(true);
  });
});

describe('schemas: invalid samples name the failing field', () => {
  it.each([
    ['above 1', 1.01],
    ['below 0', -0.1],
    ['a string', '0.9'],
  ])('intent confidence %s is rejected at path "confidence"', (_label, confidence) => {
    expect(paths(parseWith(IntentProposedV1, { ...validIntentProposed(), confidence }))).toEqual([
      'confidence',
    ]);
  });

  it('a missing action is rejected at path "action"', () => {
    const input = validIntentProposed();
    delete input.action;
    expect(paths(parseWith(IntentProposedV1, input))).toEqual(['action']);
  });

  it('a malformed action name is rejected with the rule in the message', () => {
    const [issue] = issuesOf(parseWith(IntentProposedV1, { ...validIntentProposed(), action: 'SetPrice' }));
    expect(issue.path).toBe('action');
    expect(issue.message).toMatch(/domain\.verb_object/);
  });

  it('a wrong uuid is rejected at path "intentId"', () => {
    expect(paths(parseWith(IntentProposedV1, { ...validIntentProposed(), intentId: 'not-a-uuid' }))).toEqual([
      'intentId',
    ]);
    expect(paths(parseWith(IntentDecidedV1, { ...validIntentDecided(), intentId: '1234' }))).toEqual([
      'intentId',
    ]);
    expect(
      paths(parseWith(OutcomeReportedV1, { ...validOutcomeReported(), outcomeId: INTENT_ID.slice(1) })),
    ).toEqual(['outcomeId']);
  });

  it('nested failures are reported with dotted paths, array indices included', () => {
    const input = validIntentProposed();
    input.agent = { ...(input.agent as object), tenantId: 'bad tenant!' };
    input.dataUsed = [{ source: 'ok' }, { dataClasses: [] }];
    expect(paths(parseWith(IntentProposedV1, input)).sort()).toEqual(['agent.tenantId', 'dataUsed.1.source']);
  });

  it('every failing field is reported, not just the first', () => {
    const input: Record<string, unknown> = { ...validIntentProposed(), confidence: 7, intentId: 'x' };
    delete input.action;
    expect(paths(parseWith(IntentProposedV1, input)).sort()).toEqual(['action', 'confidence', 'intentId']);
  });

  it('a decision with an unknown verdict or decider is rejected', () => {
    expect(paths(parseWith(IntentDecidedV1, { ...validIntentDecided(), verdict: 'maybe' }))).toEqual([
      'verdict',
    ]);
    expect(paths(parseWith(IntentDecidedV1, { ...validIntentDecided(), decidedBy: 'agent' }))).toEqual([
      'decidedBy',
    ]);
    expect(
      paths(
        parseWith(IntentDecidedV1, {
          ...validIntentDecided(),
          obligations: [{ type: 'cap', field: 'price' }],
        }),
      ),
    ).toEqual(['obligations.0.max']);
  });

  it('an outcome with an unknown status or a non-ISO time is rejected', () => {
    expect(paths(parseWith(OutcomeReportedV1, { ...validOutcomeReported(), status: 'done' }))).toEqual([
      'status',
    ]);
    expect(
      paths(parseWith(OutcomeReportedV1, { ...validOutcomeReported(), reportedAt: '15/01/2025' })),
    ).toEqual(['reportedAt']);
  });

  it('a non-object input is reported at the root', () => {
    expect(paths(parseWith(OutcomeReportedV1, 'hello'))).toEqual(['(root)']);
  });
});

describe('describeIssues / formatIssues', () => {
  it('turns a ZodError into path/message pairs and a one-line summary', () => {
    const result = IntentProposedV1.safeParse({ ...validIntentProposed(), confidence: 2 });
    expect(result.success).toBe(false);
    if (result.success) return;
    const issues = describeIssues(result.error);
    expect(issues).toEqual([{ path: 'confidence', message: expect.any(String) }]);
    expect(formatIssues(issues)).toBe(`confidence: ${issues[0].message}`);
    expect(
      formatIssues([
        { path: 'a', message: 'x' },
        { path: 'b.0', message: 'y' },
      ]),
    ).toBe('a: x; b.0: y');
  });
});
