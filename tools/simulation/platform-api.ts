/** The platform APIs the simulation uses, as an operator and as reviewers would. */
export interface Endpoints {
  console: string;
  ingest: string;
  guardrail: string;
  escalation: string;
  killswitch: string;
  audit: string;
  rollout: string;
  access: string;
}

export function endpointsFromEnv(env = process.env): Endpoints {
  return {
    console: env.CONSOLE_URL ?? 'http://127.0.0.1:3000',
    ingest: env.INGEST_URL ?? 'http://127.0.0.1:3001',
    guardrail: env.GUARDRAIL_URL ?? 'http://127.0.0.1:3002',
    escalation: env.ESCALATION_URL ?? 'http://127.0.0.1:3003',
    killswitch: env.KILLSWITCH_URL ?? 'http://127.0.0.1:3004',
    audit: env.AUDIT_URL ?? 'http://127.0.0.1:3005',
    rollout: env.ROLLOUT_URL ?? 'http://127.0.0.1:3006',
    access: env.ACCESS_URL ?? 'http://127.0.0.1:3007',
  };
}

export async function api<T>(method: string, url: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Signs in as a console user (as the CLI does) and returns their token. */
export async function signIn(consoleUrl: string, username: string, password: string): Promise<string> {
  const { token } = await api<{ token: string }>('POST', `${consoleUrl}/v1/auth/login`, '', {
    username,
    password,
    returnToken: true,
  });
  return token;
}
