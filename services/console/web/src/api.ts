/**
 * The console's only door to the backend: same origin, cookie session, JSON. Non-GET requests
 * carry the CSRF header the console service requires; failures become an ApiError holding the
 * status and one readable line (403 → "You don't have permission: …").
 */
import { errorLine } from './lib/errors';
import { type ListPage, pageOfAnswer } from './lib/pages';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get forbidden(): boolean {
    return this.status === 403;
  }
}

type UnauthorizedListener = () => void;
let onUnauthorized: UnauthorizedListener = () => undefined;

/** Called when a request other than login answers 401: the session ended, show the login page. */
export function setUnauthorizedListener(listener: UnauthorizedListener): void {
  onUnauthorized = listener;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['x-agentops-csrf'] = '1';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, errorLine(0, null, (e as Error).message), null);
  }
  const text = res.status === 204 ? '' : await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/v1/auth/login' && path !== '/v1/auth/me') onUnauthorized();
    throw new ApiError(res.status, errorLine(res.status, parsed, `HTTP ${res.status}`), parsed);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
};

/** A platform service through the console's proxy: `svc('killswitch', '/v1/killswitches')`. */
export function svc(
  service: 'ingest' | 'guardrail' | 'escalation' | 'killswitch' | 'audit' | 'rollout' | 'access',
  path: string,
): string {
  return `/api/${service}${path}`;
}

/** A page of a list endpoint (`{ <key>: [...], next }`), from `cursor` when given. */
export function getPage<T>(path: string, key: string, query: Query = {}) {
  return (cursor: string | undefined): Promise<ListPage<T>> =>
    api.get<unknown>(path, { ...query, cursor }).then((answer) => pageOfAnswer<T>(answer, key));
}
