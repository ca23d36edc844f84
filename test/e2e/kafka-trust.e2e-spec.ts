import {
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  MessageDeadLetteredV1,
  ServiceName,
  Topics,
  topicName,
} from '@agentops/contracts';
import {
  EventPublisher,
  KafkaClient,
  RawTopicReader,
  createEvent,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { RunningService } from '@agentops/service-runtime';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { principalKafka, unauthenticatedKafka } from '../support/kafka-access';
import { collectTopic } from '../support/kafka-probe';
import { bootService, eventually } from '../support/platform';
import { TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

/**
 * Issue #12, Kafka as a trust boundary, on the real broker: every service is its own principal
 * and the broker refuses what the ACLs (generated from libs/contracts KafkaAccess) do not allow;
 * an event that gets onto a topic with a source that may not claim it is refused by its consumers,
 * to the DLQ. A forged decision never releases a waiting agent.
 */
const TENANT = 'maison-trust';
const prefix = () => runPrefix();

async function publisherAs(kafka: KafkaClient): Promise<EventPublisher> {
  const publisher = new EventPublisher(kafka, prefix(), silentLogger);
  await publisher.connect();
  return publisher;
}

function decision(
  intentId: string,
  agentId: string,
  source: string,
  claim: Pick<IntentDecidedV1, 'verdict' | 'decidedBy'>,
): EventEnvelope<IntentDecidedV1> {
  const now = new Date();
  return createEvent(
    EventTypes.IntentDecided,
    {
      intentId,
      agentId,
      action: 'pricing.set_price',
      ...claim,
      reasons: [],
      obligations: [],
      reviewers: claim.decidedBy === 'human' ? ['mallory'] : undefined,
      decidedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 60_000).toISOString(),
    },
    { source, tenantid: TENANT, agentid: agentId, correlationid: intentId },
  );
}

function proposal(agentId: string) {
  const intentId = newEventId();
  return createEvent(
    EventTypes.IntentProposed,
    {
      ...priceIntent('BAG-9', 2000),
      intentId,
      agent: { id: agentId, tenantId: TENANT, role: 'pricing', version: '1', region: 'eu', labels: {} },
      proposedAt: new Date().toISOString(),
    },
    { id: intentId, source: 'agentops/ingest', tenantid: TENANT, agentid: agentId, correlationid: intentId },
  );
}

describe('Kafka: the broker refuses a principal without the ACL', () => {
  const publishers: EventPublisher[] = [];
  const as = async (service: ServiceName) => {
    const p = await publisherAs(principalKafka(service, prefix()));
    publishers.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of publishers) await p.disconnect();
  });

  it('lets only ingest write the intents topic', async () => {
    const intent = proposal('pricing-acl-1');
    await expect((await as('ingest')).publish(intent, 'pricing-acl-1')).resolves.toBeUndefined();
    for (const service of ['console', 'guardrail', 'escalation', 'killswitch', 'audit'] as const)
      await expect((await as(service)).publish(proposal('pricing-acl-1'), 'pricing-acl-1')).rejects.toThrow(
        /not authorized to access topics/i,
      );
  });

  it('lets only the deciders write the decisions topic', async () => {
    const d = (source: string) =>
      decision(newEventId(), 'pricing-acl-1', source, { verdict: 'allow', decidedBy: 'policy' });
    await expect(
      (await as('guardrail')).publish(d('agentops/guardrail'), 'pricing-acl-1'),
    ).resolves.toBeUndefined();
    for (const service of ['console', 'killswitch', 'audit'] as const)
      await expect((await as(service)).publish(d('agentops/guardrail'), 'pricing-acl-1')).rejects.toThrow(
        /not authorized to access topics/i,
      );
  });

  it('refuses a kill-switch release and a policy activation from anyone but their owners', async () => {
    const release = createEvent(
      EventTypes.KillSwitchChanged,
      {
        switchId: newEventId(),
        selector: { tenantId: TENANT },
        state: 'released',
        actor: 'mallory',
        reason: 'forged release',
        changedAt: new Date().toISOString(),
      },
      { source: 'agentops/killswitch', tenantid: TENANT },
    );
    for (const service of ['ingest', 'guardrail', 'escalation', 'console'] as const)
      await expect((await as(service)).publish(release, 'scope')).rejects.toThrow(
        /not authorized to access topics/i,
      );
    const activation = createEvent(
      EventTypes.PolicySetActivated,
      {
        policySetVersion: '999',
        policies: [],
        activatedBy: 'mallory',
        activatedAt: new Date().toISOString(),
      },
      { source: 'agentops/guardrail', tenantid: 'platform' },
    );
    for (const service of ['ingest', 'escalation', 'killswitch'] as const)
      await expect((await as(service)).publish(activation, 'active-policy-set')).rejects.toThrow(
        /not authorized to access topics/i,
      );
  });

  it('refuses a client that does not authenticate, or with a wrong password', async () => {
    await expect(publisherAs(unauthenticatedKafka('anonymous', prefix()))).rejects.toThrow();
    await expect(publisherAs(unauthenticatedKafka('wrong-password', prefix()))).rejects.toThrow(
      /SASL SCRAM SHA512 authentication failed/,
    );
  });

  it("refuses a service joining another service's consumer group", async () => {
    // kafkajs reports the refused FindCoordinator as "Failed to find group coordinator"; the
    // console's own group, on the same topic, proves the refusal is the group ACL.
    const join = async (groupId: string) => {
      const reader = new RawTopicReader(principalKafka('console', prefix()), {
        groupId,
        topics: [topicName(Topics.intents, prefix())],
        fromBeginning: true,
        retries: 1,
      });
      try {
        await reader.start(() => undefined);
        return 'joined';
      } catch (error) {
        return `crashed: ${(error as Error).message}`;
      } finally {
        await reader.stop();
      }
    };
    await expect(join(`${prefix()}console-trust-${Date.now()}`)).resolves.toBe('joined');
    await expect(join(`${prefix()}guardrail`)).resolves.toMatch(/^crashed: .*group coordinator/i);
  });
});

describe('Kafka: a forged decision never releases a waiting agent', () => {
  let ingest: RunningService;
  let audit: RunningService;
  let apiKey: string;
  let agentId: string;
  const publishers: EventPublisher[] = [];

  beforeAll(async () => {
    ingest = await bootService('ingest');
    audit = await bootService('audit');
    agentId = `pricing-trust-${Date.now()}`;
    apiKey = (
      await AgentRegistry.of(ingest.parts.dataSource).register({
        id: agentId,
        tenantId: TENANT,
        name: 'trust e2e pricing agent',
        role: 'pricing',
        version: '1.0.0',
        region: 'eu-west',
      })
    ).apiKey;
  });

  afterAll(async () => {
    for (const p of publishers) await p.disconnect();
    await audit?.close();
    await ingest?.close();
  });

  const as = async (service: ServiceName) => {
    const p = await publisherAs(principalKafka(service, prefix()));
    publishers.push(p);
    return p;
  };

  let intents: ReturnType<typeof collectTopic>;
  let dlq: ReturnType<typeof collectTopic>;
  beforeEach(async () => {
    intents = collectTopic(topicName(Topics.intents, prefix()));
    dlq = collectTopic(topicName(Topics.deadLetters, prefix()));
    await Promise.all([intents.ready, dlq.ready]);
  });
  afterEach(async () => {
    await intents.stop();
    await dlq.stop();
  });

  /** Posts an intent that waits, and returns the answer to come with the intent's id. */
  const proposeAndWait = async (timeoutMs: number) => {
    // A SKU of its own tells this intent from every other one on the topic.
    const sku = `TRUST-${newEventId().slice(-12)}`;
    const answer = postJson<{ status: string; intentId: string; decision: IntentDecidedV1 }>(
      `${ingest.url}/v1/intents?wait=true&timeoutMs=${timeoutMs}`,
      priceIntent(sku, 1500),
      { 'x-api-key': apiKey },
    );
    const proposed = await eventually(
      async () => intents.messages.find((m) => m.headers['ce_subject'] === sku),
      10_000,
      'the intent on the intents topic',
    );
    return { answer, intentId: proposed.headers['ce_correlationid'] };
  };

  /** On the topic, but claimed by a source that may not say it: the consumers must refuse these. */
  const forgeriesOf = (intentId: string) =>
    [
      {
        by: 'ingest',
        event: decision(intentId, agentId, 'agentops/ingest', { verdict: 'allow', decidedBy: 'human' }),
        why: /agentops\/ingest may not claim decidedBy human/,
      },
      {
        by: 'ingest',
        event: decision(intentId, agentId, 'agentops/ingest', { verdict: 'allow', decidedBy: 'timeout' }),
        why: /agentops\/ingest may not decide allow/,
      },
      {
        by: 'guardrail',
        event: decision(intentId, agentId, 'agentops/guardrail', { verdict: 'allow', decidedBy: 'human' }),
        why: /agentops\/guardrail may not claim decidedBy human/,
      },
      {
        by: 'ingest',
        event: decision(intentId, agentId, 'mallory', { verdict: 'allow', decidedBy: 'human' }),
        why: /source "mallory" is not an AgentOps service/,
      },
    ] as const;

  /** The DLQ records a consumer group wrote for these events, once it has refused them all. */
  const deadLettersOf = (events: readonly { event: EventEnvelope }[], group = 'ingest-wake-') =>
    eventually(
      async () => {
        const found = events.map(({ event }) =>
          dlq.messages
            .map((m) => JSON.parse(m.value) as MessageDeadLetteredV1)
            .find(
              (d) =>
                d.originalHeaders['ce_id'] === event.id &&
                d.origin.consumerGroup.startsWith(`${prefix()}${group}`),
            ),
        );
        return found.every(Boolean) ? (found as MessageDeadLetteredV1[]) : undefined;
      },
      15_000,
      `every forged decision dead-lettered by ${group}`,
    );

  it('refuses forged approvals of an escalated intent: the agent gets the real decision that follows them', async () => {
    const { answer, intentId } = await proposeAndWait(60_000);
    // The guardrail escalates: a provisional verdict, the agent keeps waiting for a human.
    await (
      await as('guardrail')
    ).publish(
      decision(intentId, agentId, 'agentops/guardrail', { verdict: 'escalate', decidedBy: 'policy' }),
      agentId,
    );

    // Without credentials, or as a principal without the ACL: the broker refuses the write.
    await expect(publisherAs(unauthenticatedKafka('anonymous', prefix()))).rejects.toThrow();
    const approval = decision(intentId, agentId, 'agentops/escalation', {
      verdict: 'allow',
      decidedBy: 'human',
    });
    await expect((await as('console')).publish(approval, agentId)).rejects.toThrow(/not authorized/i);
    await expect((await as('killswitch')).publish(approval, agentId)).rejects.toThrow(/not authorized/i);

    const forgeries = forgeriesOf(intentId);
    for (const f of forgeries) await (await as(f.by)).publish(f.event, agentId);
    // Then the real reviewer's answer, on the same partition behind every forgery: had ingest taken
    // any of them, the agent would have been released by it first.
    await (
      await as('escalation')
    ).publish(
      decision(intentId, agentId, 'agentops/escalation', { verdict: 'deny', decidedBy: 'human' }),
      agentId,
    );

    expect((await answer).body).toMatchObject({
      status: 'decided',
      intentId,
      decision: { verdict: 'deny', decidedBy: 'human' },
    });
    const deadLetters = await deadLettersOf(forgeries);
    forgeries.forEach((f, i) => {
      expect(deadLetters[i].reason).toBe('unauthorized_source');
      expect(deadLetters[i].error).toMatch(f.why);
      expect(deadLetters[i].origin.topic).toBe(topicName(Topics.decisions, prefix()));
    });
    // The agent that fetches instead of waiting is told the same: no forgery was recorded either.
    const fetched = await eventually(async () => {
      const res = await getJson<{ decision?: IntentDecidedV1 }>(
        `${ingest.url}/v1/intents/${intentId}/decision`,
        { 'x-api-key': apiKey },
      );
      return res.body.decision?.decidedBy === 'human' ? res.body.decision : undefined;
    });
    expect(fetched.verdict).toBe('deny');

    // Audit records what happened, not what was claimed: the real decisions are in the intent's
    // story, each forgery only as a rejected message.
    await deadLettersOf(forgeries, 'audit');
    const story = await eventually(async () => {
      const res = await getJson<{ records: { eventId: string; type: string }[] }>(
        `${audit.url}/v1/audit/records?correlationId=${intentId}`,
        { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
      );
      const decisions = res.body.records.filter((r) => r.type === EventTypes.IntentDecided);
      return decisions.length >= 2 ? res.body.records : undefined;
    });
    const forgedIds = new Set<string>(forgeries.map((f) => f.event.id));
    expect(story.filter((r) => forgedIds.has(r.eventId))).toEqual([]);
  });

  it('ends fail-closed when only forgeries arrive, each dead-lettered with its reason', async () => {
    const { answer, intentId } = await proposeAndWait(3_000);
    const forgeries = forgeriesOf(intentId);
    for (const f of forgeries) await (await as(f.by)).publish(f.event, agentId);
    expect((await answer).body).toMatchObject({
      status: 'decided',
      intentId,
      decision: { verdict: 'deny', decidedBy: 'timeout' },
    });
    const deadLetters = await deadLettersOf(forgeries);
    expect(deadLetters.map((d) => d.reason)).toEqual(forgeries.map(() => 'unauthorized_source'));
  });
});
