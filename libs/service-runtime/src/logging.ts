import pino, { Logger } from 'pino';

/**
 * Structured JSON logs. Secrets and fields that may carry PII are redacted at the logger, so a
 * careless `log.info({ body })` cannot leak them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'apiKey',
  'token',
  'password',
  '*.apiKey',
  '*.token',
  '*.password',
  'params',
  '*.params',
  'justification',
  '*.justification',
  'payload',
  '*.payload',
  'email',
  '*.email',
];

export function createLogger(service: string, level: string, instanceId: string): Logger {
  return pino({
    level,
    base: { service, instance: instanceId },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
