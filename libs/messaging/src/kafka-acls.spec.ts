import { Topics, topicName } from '@agentops/contracts';
import { KafkaAclBinding, defaultPrincipalNames, kafkaAclBindings } from './kafka-acls';

const PREFIX = 't1.';
const bindings = kafkaAclBindings(PREFIX);
const rules = (user: string, operation: KafkaAclBinding['operation']) =>
  bindings
    .filter((b) => b.principal === `User:${user}` && b.operation === operation && b.resourceType === 'topic')
    .map((b) => b.resourceName)
    .sort();
const physical = (...topics: { name: string }[]) => topics.map((t) => `${PREFIX}${t.name}`).sort();

describe('kafkaAclBindings', () => {
  it('lets ingest write intents, outcomes, telemetry, its fail-closed decisions, spans and dead letters, and read decisions, switches, escalations, knowledge, rollouts and spans', () => {
    expect(rules('agentops-ingest', 'write')).toEqual(
      physical(
        Topics.intents,
        Topics.decisions,
        Topics.outcomes,
        Topics.telemetry,
        Topics.spans,
        Topics.deadLetters,
      ),
    );
    expect(rules('agentops-ingest', 'read')).toEqual(
      physical(
        Topics.decisions,
        Topics.killswitch,
        Topics.escalations,
        Topics.knowledge,
        Topics.rollouts,
        Topics.spans,
      ),
    );
  });

  it('gives the console no write but its spans and the DLQ, and the kill switch no write on decisions', () => {
    expect(rules('agentops-console', 'write')).toEqual(physical(Topics.spans, Topics.deadLetters));
    expect(rules('agentops-killswitch', 'write')).toEqual(
      physical(Topics.killswitch, Topics.spans, Topics.deadLetters),
    );
  });

  it('names every topic literally with the prefix, and groups by a prefix named after the service', () => {
    for (const b of bindings.filter((x) => x.resourceType === 'topic')) {
      expect(b.patternType).toBe('literal');
      expect(b.resourceName.startsWith(PREFIX)).toBe(true);
    }
    const groups = bindings.filter((b) => b.resourceType === 'group');
    expect(groups.map((g) => [g.principal, g.patternType, g.resourceName, g.operation])).toEqual(
      Object.entries(defaultPrincipalNames()).map(([s, user]) => [
        `User:${user}`,
        'prefixed',
        `${PREFIX}${s}`,
        'read',
      ]),
    );
  });

  it('writes each topic for exactly the principals allowed to', () => {
    const writers = bindings
      .filter((b) => b.operation === 'write' && b.resourceName === topicName(Topics.decisions, PREFIX))
      .map((b) => b.principal)
      .sort();
    expect(writers).toEqual(['User:agentops-escalation', 'User:agentops-guardrail', 'User:agentops-ingest']);
  });

  it('uses the names a deployment gives its principals', () => {
    const names = { ...defaultPrincipalNames(), audit: 'prod-audit' };
    expect(kafkaAclBindings('', names).some((b) => b.principal === 'User:prod-audit')).toBe(true);
    expect(kafkaAclBindings('', names).some((b) => b.principal === 'User:agentops-audit')).toBe(false);
  });
});
