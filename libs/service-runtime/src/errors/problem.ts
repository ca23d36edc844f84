import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';

/** RFC 9457's media type: every error answer of every service carries it. */
export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** One failing field of a request: its dotted path (`params.price`, `cursor`, `(root)`) and why. */
export interface FieldError {
  path: string;
  detail: string;
}

/**
 * An error answer, RFC 9457 problem details: `type` (about:blank — the status says it all),
 * `title` (the status's phrase), `status`, `detail` (what went wrong, for a human), `instance`
 * (the request path), `errors` naming each failing field. The members the platform's answers
 * carried before (`statusCode`, `error`, `message`, `issues`) stay as extension members for one
 * release, so clients that read them keep working while they move to the standard ones.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  /** @deprecated the standard member is `status` */
  statusCode: number;
  /** @deprecated the standard member is `title` */
  error: string;
  /** @deprecated the standard member is `detail` */
  message: string | string[];
  /** @deprecated the standard member is `errors` (`detail` instead of `message`) */
  issues?: { path: string; message: string }[];
  [extension: string]: unknown;
}

interface LegacyBody {
  statusCode?: unknown;
  error?: unknown;
  message?: unknown;
  issues?: unknown;
  [key: string]: unknown;
}

/**
 * The problem an error body becomes, whatever shape it had: Nest's (`message`, maybe `issues`), a
 * bare string, or a coded error's body with its details (kept as extension members).
 */
export function problemOf(status: number, body: unknown, instance?: string): Problem {
  const legacy: LegacyBody = typeof body === 'object' && body !== null ? (body as LegacyBody) : {};
  const title = STATUS_CODES[status] ?? 'Error';
  const message =
    typeof body === 'string'
      ? body
      : typeof legacy.message === 'string' ||
          (Array.isArray(legacy.message) && legacy.message.every((m) => typeof m === 'string'))
        ? (legacy.message as string | string[])
        : title;
  const issues = Array.isArray(legacy.issues)
    ? (legacy.issues as unknown[]).filter(
        (i): i is { path: string; message: string } =>
          typeof (i as { path?: unknown })?.path === 'string' &&
          typeof (i as { message?: unknown })?.message === 'string',
      )
    : undefined;
  const { statusCode: _s, error: _e, message: _m, issues: _i, ...details } = legacy;
  return {
    ...details,
    type: 'about:blank',
    title,
    status,
    detail: Array.isArray(message) ? message.join('; ') : message,
    ...(instance ? { instance } : {}),
    ...(issues?.length ? { errors: issues.map((i) => ({ path: i.path, detail: i.message })) } : {}),
    statusCode: status,
    error: title,
    message,
    ...(issues ? { issues } : {}),
  };
}

/** The request's path, without its query (which may carry what a caller should not see echoed). */
export const instanceOf = (req: { originalUrl?: string; url?: string }) =>
  (req.originalUrl ?? req.url ?? '').split('?')[0] || undefined;

/** Answers a problem: for middleware that refuses before Nest's filters can. */
export function sendProblem(
  res: Response,
  status: number,
  body: unknown,
  req?: { originalUrl?: string; url?: string },
): void {
  res
    .status(status)
    .type(PROBLEM_JSON)
    .send(JSON.stringify(problemOf(status, body, req && instanceOf(req))));
}
