/**
 * The CLI talks to the services' HTTP APIs with the caller's token, like the console does; it
 * has no privileges of its own.
 */
export interface ApiTargets {
  ingest: string;
  guardrail: string;
  escalation: string;
  killswitch: string;
  audit: string;
  rollout: string;
  access: string;
  console: string;
}

/** Where each service is, and the variable that moves it. */
export const API_TARGET_ENV: Record<keyof ApiTargets, { variable: string; fallback: string }> = {
  ingest: { variable: 'AGENTOPS_INGEST_URL', fallback: 'http://127.0.0.1:3001' },
  guardrail: { variable: 'AGENTOPS_GUARDRAIL_URL', fallback: 'http://127.0.0.1:3002' },
  escalation: { variable: 'AGENTOPS_ESCALATION_URL', fallback: 'http://127.0.0.1:3003' },
  killswitch: { variable: 'AGENTOPS_KILLSWITCH_URL', fallback: 'http://127.0.0.1:3004' },
  audit: { variable: 'AGENTOPS_AUDIT_URL', fallback: 'http://127.0.0.1:3005' },
  rollout: { variable: 'AGENTOPS_ROLLOUT_URL', fallback: 'http://127.0.0.1:3006' },
  access: { variable: 'AGENTOPS_ACCESS_URL', fallback: 'http://127.0.0.1:3007' },
  console: { variable: 'AGENTOPS_CONSOLE_URL', fallback: 'http://127.0.0.1:3000' },
};

export function apiTargets(env: NodeJS.ProcessEnv = process.env): ApiTargets {
  const targets = {} as ApiTargets;
  for (const [service, { variable, fallback }] of Object.entries(API_TARGET_ENV))
    targets[service as keyof ApiTargets] = (env[variable] || fallback).replace(/\/+$/, '');
  return targets;
}

/** An API answer that is not 2xx, turned into one line for the terminal. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describeFailure(status, body));
  }
}

/**
 * One line: the status, the service's message and, when it sent them, every problem it listed.
 * Reads RFC 9457 problem details (`detail`, `errors[]`) first, then the members answers carried
 * before them (`message`, `issues`).
 */
export function describeFailure(status: number, body: unknown): string {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    detail?: unknown;
    errors?: { path: string; detail: string }[];
    message?: unknown;
    issues?: { path: string; message: string }[];
    summary?: string[];
  };
  const fields = Array.isArray(b.errors)
    ? b.errors.map((e) => ({ path: e.path, message: e.detail }))
    : b.issues;
  const message =
    typeof b.detail === 'string'
      ? b.detail
      : typeof b.message === 'string'
        ? b.message
        : Array.isArray(b.message)
          ? b.message.join('; ')
          : typeof body === 'string' && body
            ? body
            : JSON.stringify(body ?? null);
  let line = `HTTP ${status}: ${message}`;
  if (b.summary?.length) line += `: ${b.summary.join('; ')}`;
  else if (fields?.length)
    line = `HTTP ${status}: ${fields.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  return oneLine(line);
}

export const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

const timeoutMs = () => Number(process.env.AGENTOPS_TIMEOUT_MS) || 30_000;

/**
 * Sends the request and returns the response once it is known to be 2xx. Failures become one
 * line: the HTTP status and message, or which service could not be reached and how to point at it.
 */
export async function request(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
  options: { timeout?: boolean } = {},
): Promise<Response> {
  if (!token) throw new Error('no token: run agentops login, pass --token or set AGENTOPS_TOKEN');
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.timeout === false ? undefined : AbortSignal.timeout(timeoutMs()),
    });
  } catch (error) {
    throw new Error(unreachable(url, error));
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw new ApiError(res.status, text ? safeJson(text) : undefined);
  }
  return res;
}

export async function callApi<T>(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<T> {
  const res = await request(method, url, token, body);
  const text = await res.text();
  return (text ? safeJson(text) : undefined) as T;
}

function unreachable(url: string, error: unknown): string {
  const origin = new URL(url).origin;
  const e = error as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  const why =
    e.name === 'TimeoutError'
      ? `no answer within ${timeoutMs()} ms (AGENTOPS_TIMEOUT_MS)`
      : (e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message);
  const target = Object.entries(apiTargets()).find(([, base]) => new URL(base).origin === origin);
  const hint = target
    ? `; is the ${target[0]} service running? (${API_TARGET_ENV[target[0] as keyof ApiTargets].variable})`
    : '';
  return `cannot reach ${origin}: ${why}${hint}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
