import {
  ServiceName,
  ServiceNames,
  TopicSpec,
  allTopics,
  consumerGroupPrefix,
  defaultPrincipalName,
  topicName,
  topicsReadBy,
  topicsWrittenBy,
} from '@agentops/contracts';
import {
  AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
} from 'kafkajs';
import { KafkaClient, kafkaOf } from './kafka-client';

/** One allow rule of the broker's authorizer, in our words (kafkajs's enums stay in this file). */
export interface KafkaAclBinding {
  /** `User:<name>`. */
  principal: string;
  resourceType: 'topic' | 'group';
  patternType: 'literal' | 'prefixed';
  resourceName: string;
  operation: 'read' | 'write';
}

/** The SASL username of each service's principal; `agentops-<service>` unless a deployment says otherwise. */
export type PrincipalNames = Record<ServiceName, string>;

export function defaultPrincipalNames(): PrincipalNames {
  return Object.fromEntries(ServiceNames.map((s) => [s, defaultPrincipalName(s)])) as PrincipalNames;
}

/**
 * The allow rules of one deployment (topic prefix), derived from libs/contracts KafkaAccess: READ
 * on each topic a service consumes, WRITE on each it produces to, READ on the consumer groups
 * named after it. Topics are literal names, so a prefix never grants another deployment's topics;
 * everything not listed is denied (`allow.everyone.if.no.acl.found=false`).
 */
export function kafkaAclBindings(
  topicPrefix: string,
  principals = defaultPrincipalNames(),
): KafkaAclBinding[] {
  const out: KafkaAclBinding[] = [];
  for (const service of ServiceNames) {
    const principal = `User:${principals[service]}`;
    const topic = (operation: KafkaAclBinding['operation']) => (t: TopicSpec) =>
      out.push({
        principal,
        resourceType: 'topic',
        patternType: 'literal',
        resourceName: topicName(t, topicPrefix),
        operation,
      });
    topicsReadBy(service).forEach(topic('read'));
    topicsWrittenBy(service).forEach(topic('write'));
    if (topicsReadBy(service).length)
      out.push({
        principal,
        resourceType: 'group',
        patternType: 'prefixed',
        resourceName: consumerGroupPrefix(service, topicPrefix),
        operation: 'read',
      });
  }
  return out;
}

export interface AclApplyResult {
  created: number;
  /** Rules of the managed principals on this deployment's resources that the table no longer has. */
  removed: KafkaAclBinding[];
}

/**
 * Makes the broker hold exactly these rules for the principals they name, on this deployment's
 * topics and groups: missing ones are created (creating an existing rule is a no-op), stale ones
 * removed. Rules on other prefixes (a test run's, another deployment's) are left alone.
 */
export async function applyKafkaAcls(
  kafka: KafkaClient,
  bindings: KafkaAclBinding[],
  topicPrefix: string,
): Promise<AclApplyResult> {
  const admin = kafkaOf(kafka).admin();
  await admin.connect();
  try {
    if (bindings.length) await admin.createAcls({ acl: bindings.map(toEntry) });
    const wanted = new Set(bindings.map(bindingKey));
    const managed = managedResources(topicPrefix);
    const removed: KafkaAclBinding[] = [];
    for (const principal of new Set(bindings.map((b) => b.principal))) {
      const held = await admin.describeAcls({
        principal,
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      for (const resource of held.resources)
        for (const acl of resource.acls) {
          const binding = fromEntry({ ...resource, ...acl });
          if (!binding || wanted.has(bindingKey(binding))) continue;
          if (managed.has(`${binding.resourceType}:${binding.resourceName}`)) removed.push(binding);
        }
    }
    if (removed.length) await admin.deleteAcls({ filters: removed.map(toEntry) });
    return { created: bindings.length, removed };
  } finally {
    await admin.disconnect();
  }
}

/** Removes exactly these rules (a finished test or benchmark run's). */
export async function revokeKafkaAcls(kafka: KafkaClient, bindings: KafkaAclBinding[]): Promise<void> {
  if (!bindings.length) return;
  const admin = kafkaOf(kafka).admin();
  await admin.connect();
  try {
    await admin.deleteAcls({ filters: bindings.map(toEntry) });
  } finally {
    await admin.disconnect();
  }
}

/** The topics and group prefixes a deployment's rules may name. */
function managedResources(topicPrefix: string): Set<string> {
  return new Set([
    ...allTopics.map((t) => `topic:${topicName(t, topicPrefix)}`),
    ...ServiceNames.map((s) => `group:${consumerGroupPrefix(s, topicPrefix)}`),
  ]);
}

function bindingKey(b: KafkaAclBinding): string {
  return [b.principal, b.resourceType, b.patternType, b.resourceName, b.operation].join('|');
}

const RESOURCE = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP } as const;
const PATTERN = { literal: ResourcePatternTypes.LITERAL, prefixed: ResourcePatternTypes.PREFIXED } as const;
const OPERATION = { read: AclOperationTypes.READ, write: AclOperationTypes.WRITE } as const;

function toEntry(b: KafkaAclBinding): AclEntry {
  return {
    principal: b.principal,
    host: '*',
    resourceType: RESOURCE[b.resourceType],
    resourceName: b.resourceName,
    resourcePatternType: PATTERN[b.patternType],
    operation: OPERATION[b.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

function fromEntry(e: AclEntry): KafkaAclBinding | undefined {
  const key = <T extends Record<string, number>>(map: T, value: number) =>
    (Object.keys(map) as (keyof T)[]).find((k) => map[k] === value);
  const resourceType = key(RESOURCE, e.resourceType);
  const patternType = key(PATTERN, e.resourcePatternType);
  const operation = key(OPERATION, e.operation);
  if (!resourceType || !patternType || !operation || e.permissionType !== AclPermissionTypes.ALLOW)
    return undefined;
  return { principal: e.principal, resourceType, patternType, resourceName: e.resourceName, operation };
}
