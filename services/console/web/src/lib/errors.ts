/**
 * One clear line for an API error: the services answer `{statusCode, message, issues?}` (Nest),
 * sometimes with `message` as a list, sometimes with `reasons` (a refused edit) or `summary`.
 */

export interface ErrorBody {
  statusCode?: number;
  message?: unknown;
  error?: unknown;
  issues?: { path?: unknown; message?: unknown }[];
  reasons?: { policyId?: unknown; message?: unknown }[];
  summary?: unknown;
}

export function errorLine(status: number, body: unknown, fallback = 'request failed'): string {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody;
  let message = Array.isArray(b.message)
    ? b.message.map(String).join('; ')
    : typeof b.message === 'string' && b.message
      ? b.message
      : typeof b.error === 'string' && b.error
        ? b.error
        : typeof body === 'string' && body
          ? body.slice(0, 300)
          : fallback;
  const details: string[] = [];
  for (const i of Array.isArray(b.issues) ? b.issues : []) {
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
