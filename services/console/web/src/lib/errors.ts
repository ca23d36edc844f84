/**
 * One clear line for an API error: the services answer RFC 9457 problem details (`detail`,
 * `errors[]` naming fields), sometimes with `reasons` (a refused edit) or `summary`; the members
 * answers carried before (`message`, maybe a list, and `issues`) are read when `detail` is absent.
 */

export interface ErrorBody {
  detail?: unknown;
  errors?: { path?: unknown; detail?: unknown }[];
  statusCode?: number;
  message?: unknown;
  error?: unknown;
  issues?: { path?: unknown; message?: unknown }[];
  reasons?: { policyId?: unknown; message?: unknown }[];
  summary?: unknown;
}

export function errorLine(status: number, body: unknown, fallback = 'request failed'): string {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody;
  let message =
    typeof b.detail === 'string' && b.detail
      ? b.detail
      : Array.isArray(b.message)
        ? b.message.map(String).join('; ')
        : typeof b.message === 'string' && b.message
          ? b.message
          : typeof b.error === 'string' && b.error
            ? b.error
            : typeof body === 'string' && body
              ? body.slice(0, 300)
              : fallback;
  const details: string[] = [];
  const fields = Array.isArray(b.errors)
    ? b.errors.map((e) => ({ path: e.path, message: e.detail }))
    : Array.isArray(b.issues)
      ? b.issues
      : [];
  for (const i of fields) {
    const path = Array.isArray(i.path) ? i.path.join('.') : typeof i.path === 'string' ? i.path : '';
    details.push(path ? `${path}: ${String(i.message ?? 'invalid')}` : String(i.message ?? 'invalid'));
  }
  for (const r of Array.isArray(b.reasons) ? b.reasons : []) {
    details.push(r.policyId ? `${String(r.policyId)}: ${String(r.message ?? '')}` : String(r.message ?? ''));
  }
  if (!details.length && Array.isArray(b.summary)) details.push(...b.summary.map(String));
  if (details.length) message = `${message} (${details.join('; ')})`;
  if (status === 403) return `You don't have permission: ${message}`;
  if (status === 0) return `Cannot reach the console service: ${message}`;
  return message;
}
