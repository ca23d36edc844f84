import { CloudEventHeaders } from './envelope';
import { eventJsonSchemas, envelopeJsonSchema } from './json-schema';
import { ServiceNames, defaultPrincipalName, topicsReadBy, topicsWrittenBy } from './kafka-access';
import { EventDefinitions } from './registry';
import { allTopics } from './topics';

/**
 * An AsyncAPI 3.0 document of every topic and message, built from the topic list and the event
 * registry so it cannot drift from what the code validates.
 */
export function buildAsyncApiDocument(version: string): Record<string, unknown> {
  const schemas = eventJsonSchemas();
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const headerProps = Object.fromEntries(
    Object.entries(CloudEventHeaders).map(([attr, header]) => [
      header,
      { type: 'string', description: `CloudEvents attribute \`${attr}\`` },
    ]),
  );

  for (const def of Object.values(EventDefinitions)) {
    const name = messageName(def.type);
    messages[name] = {
      name: def.type,
      title: def.type,
      summary: def.summary,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: headerProps,
        required: ['ce_id', 'ce_source', 'ce_type', 'ce_specversion', 'ce_time', 'ce_tenantid'],
      },
      payload: schemas[def.type],
      bindings: { kafka: { key: { type: 'string', description: def.topic.key }, bindingVersion: '0.5.0' } },
    };
  }
  for (const topic of allTopics) {
    const id = channelId(topic.name);
    const topicMessages = Object.values(EventDefinitions).filter((d) => d.topic.name === topic.name);
    channels[id] = {
      address: topic.name,
      description: topic.description,
      messages: Object.fromEntries(
        topicMessages.map((d) => [
          messageName(d.type),
          { $ref: `#/components/messages/${messageName(d.type)}` },
        ]),
      ),
      // Who may write and read it (libs/contracts KafkaAccess; the broker's ACLs come from the same table).
      'x-agentops-writers': ServiceNames.filter((s) => topicsWrittenBy(s).includes(topic)).map(
        defaultPrincipalName,
      ),
      'x-agentops-readers': ServiceNames.filter((s) => topicsReadBy(s).includes(topic)).map(
        defaultPrincipalName,
      ),
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          topicConfiguration: {
            'cleanup.policy': [topic.cleanupPolicy],
            ...(topic.cleanupPolicy === 'delete' ? { 'retention.ms': topic.retentionMs } : {}),
          },
          bindingVersion: '0.5.0',
        },
      },
    };
    operations[`consume_${id}`] = { action: 'receive', channel: { $ref: `#/channels/${id}` } };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'AgentOps event contracts',
      version,
      description:
        'Every AgentOps topic and event. Events are CloudEvents 1.0 in Kafka binary mode: attributes in ce_* headers, JSON body. Generated from libs/contracts; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'deploy/local single-node KRaft broker',
        security: [{ $ref: '#/components/securitySchemes/scram' }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: { CloudEventAttributes: envelopeJsonSchema() },
      securitySchemes: {
        scram: {
          type: 'scramSha512',
          description:
            'One principal per service (agentops-<service>); topic ACLs as x-agentops-writers / x-agentops-readers (docs/security.md § Kafka).',
        },
      },
    },
  };
}

function messageName(type: string): string {
  return type.replace(/\./g, '_');
}

function channelId(topic: string): string {
  return topic.replace(/\./g, '_');
}
