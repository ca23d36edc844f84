import {
  KafkaAccess,
  ServiceNames,
  consumerGroupPrefix,
  eventSource,
  mayProduce,
  producerRefusal,
  serviceOfSource,
  topicsReadBy,
  topicsWrittenBy,
} from './kafka-access';
import { EventDefinitions, EventTypeName, EventTypes } from './registry';
import { Topics } from './topics';

const decision = (source: string, decidedBy: string, verdict = 'allow') => ({
  source,
  type: EventTypes.IntentDecided,
  data: { decidedBy, verdict },
});

describe('KafkaAccess: who talks through which topic', () => {
  const writers = (topic: (typeof Topics)[keyof typeof Topics]) =>
    ServiceNames.filter((s) => topicsWrittenBy(s).includes(topic)).sort();

  it('lets only ingest write intents, outcomes and telemetry', () => {
    expect(writers(Topics.intents)).toEqual(['ingest']);
    expect(writers(Topics.outcomes)).toEqual(['ingest']);
    expect(writers(Topics.telemetry)).toEqual(['ingest']);
  });

  it('lets only the deciders write decisions, and one service each of the state topics', () => {
    expect(writers(Topics.decisions)).toEqual(['escalation', 'guardrail', 'ingest']);
    expect(writers(Topics.killswitch)).toEqual(['killswitch']);
    expect(writers(Topics.policies)).toEqual(['guardrail']);
    expect(writers(Topics.verifications)).toEqual(['guardrail']);
    expect(writers(Topics.escalations)).toEqual(['escalation']);
    expect(writers(Topics.audit)).toEqual(['audit']);
    expect(writers(Topics.auditCheckpoints)).toEqual(['audit']);
  });

  it('lets every consumer dead-letter, and nobody else', () => {
    expect(writers(Topics.deadLetters)).toEqual([...ServiceNames].sort());
    for (const s of ServiceNames) expect(mayProduce(s, EventTypes.MessageDeadLettered)).toBe(true);
  });

  it('lets every service export its spans, and only ingest read them', () => {
    expect(writers(Topics.spans)).toEqual([...ServiceNames].sort());
    expect(ServiceNames.filter((s) => topicsReadBy(s).includes(Topics.spans))).toEqual(['ingest']);
  });

  it('has audit read every topic but its own two and the spans, and the console only intents and decisions', () => {
    expect(topicsReadBy('audit')).not.toContain(Topics.audit);
    expect(topicsReadBy('audit')).not.toContain(Topics.auditCheckpoints);
    expect(topicsReadBy('audit')).not.toContain(Topics.spans);
    expect(topicsReadBy('audit')).toContain(Topics.deadLetters);
    expect(topicsReadBy('console')).toEqual([Topics.intents, Topics.decisions]);
  });

  it('names what every decider may claim, and only escalation speaks for a human', () => {
    for (const s of ServiceNames) {
      const decides = mayProduce(s, EventTypes.IntentDecided);
      expect(Boolean(KafkaAccess[s].decides)).toBe(decides);
      expect(KafkaAccess[s].decides?.decidedBy.includes('human') ?? false).toBe(s === 'escalation');
    }
  });

  it('maps sources and consumer groups to services', () => {
    expect(serviceOfSource(eventSource('ingest'))).toBe('ingest');
    expect(serviceOfSource('agentops/nobody')).toBeUndefined();
    expect(serviceOfSource('evil/ingest')).toBeUndefined();
    expect(consumerGroupPrefix('guardrail', 't1.')).toBe('t1.guardrail');
  });
});

describe('producerRefusal', () => {
  it('accepts every type from the service that produces it, on its own topic', () => {
    for (const s of ServiceNames)
      for (const type of KafkaAccess[s].produces.filter((t) => t !== EventTypes.IntentDecided))
        expect(
          producerRefusal({ source: eventSource(s), type, data: {} }, EventDefinitions[type].topic.name),
        ).toBeNull();
  });

  it('accepts each decider claiming what it may claim', () => {
    const on = Topics.decisions.name;
    expect(producerRefusal(decision('agentops/guardrail', 'policy'), on)).toBeNull();
    expect(producerRefusal(decision('agentops/guardrail', 'killswitch', 'deny'), on)).toBeNull();
    expect(producerRefusal(decision('agentops/escalation', 'human'), on)).toBeNull();
    expect(producerRefusal(decision('agentops/escalation', 'timeout', 'allow'), on)).toBeNull();
    expect(producerRefusal(decision('agentops/ingest', 'timeout', 'deny'), on)).toBeNull();
  });

  it('refuses a human decision from anyone but escalation', () => {
    const on = Topics.decisions.name;
    expect(producerRefusal(decision('agentops/guardrail', 'human'), on)).toMatch(
      /agentops\/guardrail may not claim decidedBy human/,
    );
    expect(producerRefusal(decision('agentops/ingest', 'human'), on)).toMatch(
      /may not claim decidedBy human/,
    );
    expect(producerRefusal(decision('agentops/killswitch', 'human'), on)).toMatch(
      /agentops\/killswitch may not produce agentops.intent.decided.v1/,
    );
  });

  it("refuses ingest's own decision unless it is a deny", () => {
    expect(producerRefusal(decision('agentops/ingest', 'timeout', 'allow'), Topics.decisions.name)).toMatch(
      /agentops\/ingest may not decide allow/,
    );
  });

  it('refuses a source that is not a service, and a type on another topic than its own', () => {
    expect(producerRefusal(decision('attacker', 'policy'), Topics.decisions.name)).toMatch(
      /source "attacker" is not an AgentOps service/,
    );
    expect(producerRefusal(decision('agentops/escalation', 'human'), Topics.intents.name)).toMatch(
      /agentops.intent.decided.v1 travels on agentops.decisions.v1, not on agentops.intents.v1/,
    );
  });

  it('refuses a kill-switch release or a policy activation from anyone but their owner', () => {
    const killswitch = { source: 'agentops/ingest', type: EventTypes.KillSwitchChanged, data: {} };
    expect(producerRefusal(killswitch, Topics.killswitch.name)).toMatch(/may not produce/);
    const policies = { source: 'agentops/escalation', type: EventTypes.PolicySetActivated, data: {} };
    expect(producerRefusal(policies, Topics.policies.name)).toMatch(/may not produce/);
  });

  it('refuses a decision without a decidedBy', () => {
    const on = Topics.decisions.name;
    expect(producerRefusal({ ...decision('agentops/guardrail', 'policy'), data: {} }, on)).toMatch(
      /may not claim decidedBy undefined/,
    );
  });

  it('knows every event type', () => {
    const types = Object.keys(EventDefinitions) as EventTypeName[];
    for (const type of types) expect(ServiceNames.some((s) => mayProduce(s, type))).toBe(true);
  });
});
