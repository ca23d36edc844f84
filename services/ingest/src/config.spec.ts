import { ConfigurationError } from '@agentops/service-runtime';
import { loadIngestConfig } from './config';

const base = {
  DATABASE_URL: 'postgres://localhost/x',
  REDIS_URL: 'redis://localhost:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('ingest config', () => {
  it('reads decision-timeout overrides per action glob', () => {
    const config = loadIngestConfig({
      ...base,
      DECISION_TIMEOUT_OVERRIDES: 'service.*=5000,pricing.set_price=1500',
    });
    expect(config.DECISION_TIMEOUT_OVERRIDES).toEqual([
      { pattern: 'service.*', ms: 5000 },
      { pattern: 'pricing.set_price', ms: 1500 },
    ]);
  });

  it('refuses an override glob beyond the caps, naming the variable', () => {
    const load = () => loadIngestConfig({ ...base, DECISION_TIMEOUT_OVERRIDES: '*a*a*a*a*a*b=100' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow('DECISION_TIMEOUT_OVERRIDES: "*a*a*a*a*a*b": at most 4 * wildcards (found 6)');
  });

  it('keeps GenAI message content off and traces 72 h by default; takes only true/false for capture', () => {
    expect(loadIngestConfig(base)).toMatchObject({
      GENAI_CAPTURE_CONTENT: false,
      TRACE_RETENTION_HOURS: 72,
      TRACE_MAX_SPANS: 1_000_000,
    });
    expect(loadIngestConfig({ ...base, GENAI_CAPTURE_CONTENT: 'true' }).GENAI_CAPTURE_CONTENT).toBe(true);
    expect(() => loadIngestConfig({ ...base, GENAI_CAPTURE_CONTENT: 'yes' })).toThrow(
      'GENAI_CAPTURE_CONTENT',
    );
    expect(() => loadIngestConfig({ ...base, TRACE_RETENTION_HOURS: '0' })).toThrow('TRACE_RETENTION_HOURS');
  });
});
