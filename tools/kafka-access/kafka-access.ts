/**
 * One principal per service, and the broker's ACLs generated from libs/contracts KafkaAccess:
 *
 *   node dist/tools/kafka-access/kafka-access.js <command>
 *     principals   the SASL usernames, one per line (for whatever creates the SCRAM users)
 *     acls         the rules of this deployment, one per line (nothing is changed)
 *     apply        makes the broker hold exactly these rules for the principals, on this
 *                  deployment's topics and groups (stale ones removed; other prefixes untouched)
 *
 * Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default ''), and for
 * `apply` the admin's KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, KAFKA_SSL,
 * KAFKA_SSL_CA_FILE (a super user, or one allowed to ALTER the cluster's ACLs).
 */
import { ServiceNames } from '@agentops/contracts';
import {
  KafkaAclBinding,
  applyKafkaAcls,
  createKafka,
  defaultPrincipalNames,
  kafkaAclBindings,
  kafkaSecurityFromEnv,
  silentLogger,
} from '@agentops/messaging';
import { createTopicsOptionsFromEnv, describeError } from '../topics/create-topics';

export function describeBinding(b: KafkaAclBinding): string {
  return `${b.principal} ${b.operation.toUpperCase()} ${b.resourceType} ${b.patternType === 'prefixed' ? `${b.resourceName}*` : b.resourceName}`;
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<number> {
  const command = argv[0];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (command === 'principals') {
      ServiceNames.forEach((s) => out(defaultPrincipalNames()[s]));
      return 0;
    }
    const { brokers, prefix } = createTopicsOptionsFromEnv(env);
    const bindings = kafkaAclBindings(prefix);
    if (command === 'acls') {
      bindings.forEach((b) => out(describeBinding(b)));
      return 0;
    }
    if (command === 'apply') {
      const kafka = createKafka(
        { brokers, clientId: 'agentops-kafka-access', topicPrefix: prefix, ...kafkaSecurityFromEnv(env) },
        silentLogger,
      );
      const { created, removed } = await applyKafkaAcls(kafka, bindings, prefix);
      out(
        `kafka-access: ${created} ACL rules for ${ServiceNames.length} service principals on ${brokers.join(',')}` +
          `${prefix ? ` (prefix ${prefix})` : ''}; ${removed.length} stale rule(s) removed`,
      );
      removed.forEach((b) => out(`  - ${describeBinding(b)}`));
      return 0;
    }
    process.stderr.write('usage: kafka-access principals | acls | apply\n');
    return 2;
  } catch (error) {
    process.stderr.write(`kafka-access: ${describeError(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
