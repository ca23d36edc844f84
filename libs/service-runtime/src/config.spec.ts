import { hostname } from 'node:os';
import { z } from 'zod';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommonEnv, ConfigurationError, kafkaSecurity, loadConfig, port } from './config';

import { SigningKeyRing, generateSigningJwk } from './auth/signing-keys';

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
  it('needs no secret: verifiers hold only public keys', () => {
    expect(() => loadConfig(CommonEnv, {})).not.toThrow();
  });

  it('puts every problem in the error message, one per line', () => {
    let message = '';
    try {
      loadConfig(CommonEnv, { KAFKA_TOPIC_PREFIX: 'bad prefix', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as Error).name).toBe('ConfigurationError');
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:\n {2}- /);
    expect(message).toContain('\n  - LOG_LEVEL: ');
    expect(message).toContain('KAFKA_TOPIC_PREFIX: letters, digits, . _ - only');
  });

  it('reads a pinned AUTH_JWKS and names one that is not JSON or not Ed25519 keys', () => {
    const jwks = SigningKeyRing.generate().publicJwks();
    expect(loadConfig(CommonEnv, { AUTH_JWKS: JSON.stringify(jwks) }).AUTH_JWKS).toEqual(jwks);
    expect(problemsOf(() => loadConfig(CommonEnv, { AUTH_JWKS: '{not json' }))).toEqual([
      'AUTH_JWKS: must be JSON: a JWKS of public Ed25519 keys ({"keys":[...]})',
    ]);
    const rsa = { keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'k' }] };
    expect(problemsOf(() => loadConfig(CommonEnv, { AUTH_JWKS: JSON.stringify(rsa) }))[0]).toMatch(
      /^AUTH_JWKS\.keys\.0\.kty: /,
    );
  });

  it('reads this service’s key and the service principals it trusts', () => {
    const key = generateSigningJwk();
    const trusted = { escalation: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: key.x, kid: 'e1' }] } };
    const config = loadConfig(CommonEnv, {
      SERVICE_SIGNING_KEY: JSON.stringify(key),
      SERVICE_PRINCIPALS_JWKS: JSON.stringify(trusted),
    });
    expect(config.SERVICE_SIGNING_KEY).toEqual(key);
    expect(config.SERVICE_PRINCIPALS_JWKS).toEqual(trusted);
    expect(loadConfig(CommonEnv, {}).SERVICE_PRINCIPALS_JWKS).toEqual({});
    const { d: _d, ...publicOnly } = key;
    expect(
      problemsOf(() => loadConfig(CommonEnv, { SERVICE_SIGNING_KEY: JSON.stringify(publicOnly) })),
    ).toEqual(['SERVICE_SIGNING_KEY.d: is required']);
    expect(
      problemsOf(() =>
        loadConfig(CommonEnv, {
          SERVICE_PRINCIPALS_JWKS: JSON.stringify({ 'Bad Name': trusted.escalation }),
        }),
      )[0],
    ).toMatch(/^SERVICE_PRINCIPALS_JWKS/);
  });

  it.each(['has space', 'semi;colon', 'slash/prefix', 'ünïcode'])(
    'names a bad KAFKA_TOPIC_PREFIX (%p)',
    (prefix) => {
      const problems = problemsOf(() => loadConfig(CommonEnv, { KAFKA_TOPIC_PREFIX: prefix }));
      expect(problems).toEqual(['KAFKA_TOPIC_PREFIX: letters, digits, . _ - only']);
    },
  );

  it('reports every bad variable at once', () => {
    const problems = problemsOf(() =>
      loadConfig(CommonEnv, {
        KAFKA_TOPIC_PREFIX: 'x y',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'not a url',
        AUTH_REVOCATION_CACHE_MS: '60000',
      }),
    );
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'AUTH_REVOCATION_CACHE_MS',
      'DATABASE_URL',
      'KAFKA_TOPIC_PREFIX',
      'LOG_LEVEL',
    ]);
  });

  it('applies the defaults', () => {
    const config = loadConfig(CommonEnv, {});
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
      AUTH_JWKS_URL: 'http://127.0.0.1:3000/.well-known/jwks.json',
      AUTH_JWKS_REFRESH_SECONDS: 300,
      AUTH_JWKS_COOLDOWN_SECONDS: 30,
      AUTH_REVOCATION_CACHE_MS: 2000,
      SERVICE_PRINCIPALS_JWKS: {},
      TRUST_PROXY: false,
      KILLSWITCH_FEED_THREAD: true,
    });
  });

  it('KILLSWITCH_FEED_THREAD: on unless false; anything else named', () => {
    expect(loadConfig(CommonEnv, { KILLSWITCH_FEED_THREAD: 'false' }).KILLSWITCH_FEED_THREAD).toBe(false);
    expect(() => loadConfig(CommonEnv, { KILLSWITCH_FEED_THREAD: 'no' })).toThrow(/KILLSWITCH_FEED_THREAD/);
  });

  it('TRUST_PROXY: none by default; a hop count; addresses, CIDRs and named ranges; anything else named', () => {
    expect(loadConfig(CommonEnv, { TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig(CommonEnv, { TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(
      loadConfig(CommonEnv, { TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8,192.0.2.1' }).TRUST_PROXY,
    ).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
    for (const bad of ['true', '0', '11', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1'])
      expect(problemsOf(() => loadConfig(CommonEnv, { TRUST_PROXY: bad }))).toEqual([
        expect.stringMatching(/^TRUST_PROXY: expected false, a hop count/),
      ]);
  });

  it('accepts a valid prefix and explicit values', () => {
    const config = loadConfig(CommonEnv, {
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
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092,,kafka-2:9092 ',
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka-0:9092', 'kafka-1:9092', 'kafka-2:9092']);
  });

  it('rejects an empty KAFKA_BROKERS by name', () => {
    const problems = problemsOf(() => loadConfig(CommonEnv, { KAFKA_BROKERS: '' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^KAFKA_BROKERS: /);
  });

  it('ignores unrelated variables', () => {
    const config = loadConfig(CommonEnv, {
      PATH: '/usr/bin',
      HOME: '/root',
    });
    expect(config).not.toHaveProperty('PATH');
  });

  it('reads process.env by default', () => {
    const saved = process.env.AUTH_JWKS_URL;
    process.env.AUTH_JWKS_URL = 'https://console.example/.well-known/jwks.json';
    try {
      expect(loadConfig(CommonEnv).AUTH_JWKS_URL).toBe('https://console.example/.well-known/jwks.json');
    } finally {
      if (saved === undefined) delete process.env.AUTH_JWKS_URL;
      else process.env.AUTH_JWKS_URL = saved;
    }
  });
});

describe('kafkaSecurity', () => {
  const load = (env: Record<string, string>) => loadConfig(CommonEnv, env);

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
    expect(loadConfig(ServiceEnv, {})).toMatchObject({
      PORT: 3001,
      DECISION_TIMEOUT_MS: 2000,
    });
    expect(loadConfig(ServiceEnv, { PORT: '8080' }).PORT).toBe(8080);
  });

  it.each(['abc', '70000', '-1', '3.5'])('names a bad PORT (%p)', (value) => {
    const problems = problemsOf(() => loadConfig(ServiceEnv, { PORT: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: /);
    // Set but wrong is not the same as missing.
    expect(problems[0]).not.toContain('is required');
  });

  it('still calls an unset required service variable required', () => {
    const WithSecret = ServiceEnv.extend({ SIGNING_KEY: z.string().min(1) });
    expect(problemsOf(() => loadConfig(WithSecret, {}))).toEqual(['SIGNING_KEY: is required']);
  });
});
