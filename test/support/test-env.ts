import {
  Ed25519PrivateJwk,
  ServiceTokenSigner,
  SigningKeyRing,
  generateSigningJwk,
  issueOperatorToken,
} from '@agentops/service-runtime';
/**
 * The stack integration tests run against: the real broker, PostgreSQL and Redis started by
 * scripts/test.sh. Each run gets its own topic prefix, Redis key prefix and database (named by the
 * global setup after the run), so runs — two work trees on one machine, say — never see each
 * other's data.
 */
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/** The database of this run; the global setup names it (`agentops_test_<run>`) before any suite loads. */
export const TEST_DATABASE = process.env.TEST_DATABASE ?? 'agentops_test';
export const TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${TEST_DATABASE}`;

export function runPrefix(): string {
  const prefix = process.env.AGENTOPS_TEST_TOPIC_PREFIX;
  if (!prefix)
    throw new Error(
      'AGENTOPS_TEST_TOPIC_PREFIX not set: run integration tests through jest --selectProjects integration',
    );
  return prefix;
}
/** Key-encryption key of the audit services the tests boot (base64 of 32 bytes). */
export const TEST_AUDIT_KEK = Buffer.alloc(32, 7).toString('base64');

/**
 * This test file's keys, made afresh when it loads (never committed): the console signs user
 * tokens with TEST_SIGNING_JWKS, every other service gets only the public JWKS; escalation calls
 * guardrail with its own service key.
 */
export const TEST_SIGNING_JWKS: Ed25519PrivateJwk[] = [generateSigningJwk()];
export const TEST_TOKEN_SIGNER = new SigningKeyRing(TEST_SIGNING_JWKS);
export const TEST_SERVICE_KEYS: Record<string, Ed25519PrivateJwk> = {
  escalation: generateSigningJwk(),
  // rollout flips kill switches on rolled-back candidates through killswitch's API.
  rollout: generateSigningJwk(),
  // access quarantines agents with a kill switch on their id through killswitch's API.
  access: generateSigningJwk(),
};
export const TEST_SERVICE_PRINCIPALS = Object.fromEntries(
  Object.entries(TEST_SERVICE_KEYS).map(([name, key]) => [
    name,
    new ServiceTokenSigner(name, key).publicJwks,
  ]),
);

/** A break-glass operator token for this test file (admin of every tenant), as `npm run operator-token` mints. */
export const TEST_OPERATOR_TOKEN = issueOperatorToken(
  { reason: 'integration tests', ttlSeconds: 3 * 3600 },
  TEST_TOKEN_SIGNER,
).token;
