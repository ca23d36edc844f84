import pino, { DestinationStream, Logger } from 'pino';
import { activeTraceIds } from './tracing';

/**
 * Structured JSON logs. Secrets and fields that may carry PII are redacted at the logger, so a
 * careless `log.info({ body })` cannot leak them; credentials that slip past the paths (a token
 * inside an error message, say) are masked in the written line by `scrubCredentials`.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  // The console's sign-in answer sets the session cookie: the token itself.
  'res.headers["set-cookie"]',
  'headers.authorization',
  '*.headers.authorization',
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

const RUN = /[A-Za-z0-9_.-]{24,}/g;
const API_KEY = /aok_([a-z0-9]{16})_[A-Za-z0-9_-]{43}/g;

/**
 * Masks JWS/JWT-shaped values (two base64url JSON segments and a signature) and agent API keys
 * (their secret; the key id stays, to tell keys apart). Runs in linear time: it looks only at
 * runs of token characters and splits each on dots.
 */
export function scrubCredentials(line: string): string {
  if (!line.includes('eyJ') && !line.includes('aok_')) return line;
  return line.replace(RUN, (run) => {
    let out = run.includes('aok_') ? run.replace(API_KEY, 'aok_$1_[redacted]') : run;
    if (!out.includes('eyJ')) return out;
    const parts = out.split('.');
    for (let i = 0; i + 2 < parts.length; i += 1) {
      if (parts[i]!.startsWith('eyJ') && parts[i + 1]!.startsWith('eyJ') && parts[i + 2]!.length > 0) {
        parts.splice(i, 3, '[redacted-token]');
      }
    }
    out = parts.join('.');
    return out;
  });
}

export function createLogger(
  service: string,
  level: string,
  instanceId: string,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service, instance: instanceId },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: { streamWrite: scrubCredentials },
    // trace_id and span_id of the span in hand on every line (the messaging lib and the request
    // logger write through this logger too), so a log line leads to its trace and back.
    mixin: () => activeTraceIds() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}
