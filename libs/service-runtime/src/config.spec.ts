import { hostname } from 'node:os';
import { z } from 'zod';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommonEnv, ConfigurationError, kafkaSecurity, loadConfig, port } from './config';

const TOKEN = 'a'.repeat(24);
const SECRET = 's'.repeat(32);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a ConfigurationError, but the configuration loaded');
}

describe('loadConfig(CommonEnv)', () => {
  it('names missing secrets as required', () => {
    const problems = problemsOf(() => loadConfig(CommonEnv, {}));
    expect(problems).toEqual(['OPERATOR_TOKEN: is required', 'AUTH_JWT_SECRET: is required']);
  });

  it('puts every problem in the error message, one per line', () => {
    let message = '';
    try {
      loadConfig(CommonEnv, { KAFKA_TOPIC_PREFIX: 'bad prefix' });
    } catch (error) {
      expect((error as Error).name).toBe('ConfigurationError');
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:\n {2}- /);
    expect(message).toContain('\n  - OPERATOR_TOKEN: is required');
    expect(message).toContain('KAFKA_TOPIC_PREFIX: letters, digits, . _ - only');
  });

  it('rejects a short OPERATOR_TOKEN with the rule, not as missing', () => {
    const problems = problemsOf(() =>
      loadConfig(CommonEnv, { OPERATOR_TOKEN: 'short', AUTH_JWT_SECRET: SECRET }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^OPERATOR_TOKEN: must be at least 24 characters/);
  });

  it.each(['has space', 'semi;colon', 'slash/prefix', 'ünïcode'])(
    'names a bad KAFKA_TOPIC_PREFIX (%p)',
    (prefix) => {
      const problems = problemsOf(() =>
        loadConfig(CommonEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET, KAFKA_TOPIC_PREFIX: prefix }),
      );
      expect(problems).toEqual(['KAFKA_TOPIC_PREFIX: letters, digits, . _ - only']);
    },
  );

  it('reports every bad variable at once', () => {
    const problems = problemsOf(() =>
      loadConfig(CommonEnv, { KAFKA_TOPIC_PREFIX: 'x y', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url' }),
    );
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'AUTH_JWT_SECRET',
      'DATABASE_URL',
      'KAFKA_TOPIC_PREFIX',
      'LOG_LEVEL',
      'OPERATOR_TOKEN',
    ]);
  });

  it('applies the defaults', () => {
    const config = loadConfig(CommonEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET });
    expect(config).toEqual({
      AGENTOPS_ENV: 'production',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SSL: false,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/agentops',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: 'agentops:',
      LOG_LEVEL: 'info',
      INSTANCE_ID: `${hostname()}-${process.pid}`,
      OPERATOR_TOKEN: TOKEN,
      AUTH_JWT_SECRET: SECRET,
    });
  });

  it('accepts a valid prefix and explicit values', () => {
    const config = loadConfig(CommonEnv, {
      OPERATOR_TOKEN: TOKEN,
      AUTH_JWT_SECRET: SECRET,
      KAFKA_TOPIC_PREFIX: 'test-run_1.',
      LOG_LEVEL: 'debug',
      INSTANCE_ID: 'ingest-0',
    });
    expect(config).toMatchObject({
      KAFKA_TOPIC_PREFIX: 'test-run_1.',
      LOG_LEVEL: 'debug',
      INSTANCE_ID: 'ingest-0',
    });
  });

  it('splits KAFKA_BROKERS on commas, trimming blanks', () => {
    const config = loadConfig(CommonEnv, {
      OPERATOR_TOKEN: TOKEN,
      AUTH_JWT_SECRET: SECRET,
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092,,kafka-2:9092 ',
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka-0:9092', 'kafka-1:9092', 'kafka-2:9092']);
  });

  it('rejects an empty KAFKA_BROKERS by name', () => {
    const problems = problemsOf(() =>
      loadConfig(CommonEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET, KAFKA_BROKERS: '' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^KAFKA_BROKERS: /);
  });

  it('ignores unrelated variables', () => {
    const config = loadConfig(CommonEnv, {
      OPERATOR_TOKEN: TOKEN,
      AUTH_JWT_SECRET: SECRET,
      PATH: '/usr/bin',
      HOME: '/root',
    });
    expect(config).not.toHaveProperty('PATH');
  });

  it('reads process.env by default', () => {
    const saved = process.env.OPERATOR_TOKEN;
    process.env.OPERATOR_TOKEN = TOKEN;
    process.env.AUTH_JWT_SECRET = SECRET;
    try {
      expect(loadConfig(CommonEnv).OPERATOR_TOKEN).toBe(TOKEN);
    } finally {
      if (saved === undefined) delete process.env.OPERATOR_TOKEN;
      else process.env.OPERATOR_TOKEN = saved;
    }
  });
});

describe('kafkaSecurity', () => {
  const load = (env: Record<string, string>) =>
    loadConfig(CommonEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET, ...env });

  it("authenticates as the service's own principal with SCRAM by default", () => {
    expect(
      kafkaSecurity(load({ KAFKA_SASL_USERNAME: 'agentops-ingest', KAFKA_SASL_PASSWORD: 'pw' })),
    ).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'agentops-ingest', password: 'pw' },
      tls: undefined,
    });
  });

  it('names missing credentials, and how to do without them on purpose', () => {
    const problems = problemsOf(() => kafkaSecurity(load({})));
    expect(problems).toEqual([
      expect.stringMatching(
        /^KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM=scram-sha-512 .*=none/,
      ),
      expect.stringMatching(/^KAFKA_SASL_PASSWORD: is required/),
    ]);
    expect(kafkaSecurity(load({ KAFKA_SASL_MECHANISM: 'none' }))).toEqual({
      sasl: undefined,
      tls: undefined,
    });
  });

  it('rejects an unknown mechanism by name', () => {
    expect(problemsOf(() => load({ KAFKA_SASL_MECHANISM: 'gssapi' }))[0]).toMatch(/^KAFKA_SASL_MECHANISM: /);
  });

  it('reads the CA bundle for TLS, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentops-ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    const base = { KAFKA_SASL_MECHANISM: 'none', KAFKA_SSL: 'true' };
    expect(kafkaSecurity(load({ ...base, KAFKA_SSL_CA_FILE: join(dir, 'ca.pem') })).tls).toEqual({
      ca: 'PEM',
    });
    expect(kafkaSecurity(load(base)).tls).toEqual({ ca: undefined });
    expect(
      problemsOf(() => kafkaSecurity(load({ ...base, KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })))[0],
    ).toMatch(/^KAFKA_SSL_CA_FILE: cannot read /);
  });
});

describe('loadConfig with a service schema', () => {
  const ServiceEnv = CommonEnv.extend({
    PORT: port(3001),
    DECISION_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  });

  it('coerces and defaults service variables', () => {
    expect(loadConfig(ServiceEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET })).toMatchObject({
      PORT: 3001,
      DECISION_TIMEOUT_MS: 2000,
    });
    expect(
      loadConfig(ServiceEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET, PORT: '8080' }).PORT,
    ).toBe(8080);
  });

  it.each(['abc', '70000', '-1', '3.5'])('names a bad PORT (%p)', (value) => {
    const problems = problemsOf(() =>
      loadConfig(ServiceEnv, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET, PORT: value }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: /);
    // Set but wrong is not the same as missing.
    expect(problems[0]).not.toContain('is required');
  });

  it('still calls an unset required service variable required', () => {
    const WithSecret = ServiceEnv.extend({ SIGNING_KEY: z.string().min(1) });
    expect(
      problemsOf(() => loadConfig(WithSecret, { OPERATOR_TOKEN: TOKEN, AUTH_JWT_SECRET: SECRET })),
    ).toEqual(['SIGNING_KEY: is required']);
  });
});
