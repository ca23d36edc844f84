/**
 * The CLI talks to the services' HTTP APIs with the caller's token, like the console does; it
 * has no privileges of its own.
 */
export interface ApiTargets {
  ingest: string;
  guardrail: string;
  killswitch: string;
  audit: string;
}

export function apiTargets(env: NodeJS.ProcessEnv = process.env): ApiTargets {
  return {
    ingest: env.AGENTOPS_INGEST_URL ?? 'http://127.0.0.1:3001',
    guardrail: env.AGENTOPS_GUARDRAIL_URL ?? 'http://127.0.0.1:3002',
    killswitch: env.AGENTOPS_KILLSWITCH_URL ?? 'http://127.0.0.1:3004',
    audit: env.AGENTOPS_AUDIT_URL ?? 'http://127.0.0.1:3005',
  };
}

/** An API answer that is not 2xx, turned into one line for the terminal. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describe(status, body));
  }
}

function describe(status: number, body: unknown): string {
  const b = (body ?? {}) as {
    message?: unknown;
    issues?: { path: string; message: string }[];
    summary?: string[];
  };
  if (b.summary?.length) return `HTTP ${status}: ${String(b.message)}\n${b.summary.join('\n')}`;
  if (b.issues?.length) return `HTTP ${status}: ${b.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  return `HTTP ${status}: ${typeof b.message === 'string' ? b.message : JSON.stringify(body)}`;
}

export async function callApi<T>(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<T> {
  if (!token) throw new Error('no token: pass --token or set AGENTOPS_TOKEN');
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(
      `cannot reach ${new URL(url).origin}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  const text = await res.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, parsed ?? text);
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
