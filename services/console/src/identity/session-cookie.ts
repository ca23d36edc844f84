import { parse as parseCookie, serialize as serializeCookie } from 'cookie';

/**
 * The console keeps the user's token in an HttpOnly cookie (script on the page never sees it) and
 * turns it into the `Authorization` header the services expect. A request authenticated by the
 * cookie must also carry `x-agentops-csrf` when it changes something: a cross-site form cannot set
 * custom headers, and SameSite=Strict already keeps the cookie off cross-site requests.
 */
export const SESSION_COOKIE = 'agentops_session';
export const CSRF_HEADER = 'x-agentops-csrf';

/** One cookie of a `Cookie` header (RFC 6265, through the `cookie` library), percent-decoded. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serializeCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    maxAge: maxAgeSeconds,
    secure,
  });
}

export const clearedSessionCookie = (secure: boolean) => sessionCookie('', 0, secure);

export type SessionAuth =
  | { kind: 'header' }
  | { kind: 'cookie'; authorization: string }
  | { kind: 'none' }
  | { kind: 'csrf-missing' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How a request is authenticated: its own bearer header wins (CLI), else the session cookie. */
export function sessionAuth(req: {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}): SessionAuth {
  if (req.headers['authorization']) return { kind: 'header' };
  const cookieHeader = req.headers['cookie'];
  const token = readCookie(
    Array.isArray(cookieHeader) ? cookieHeader.join(';') : cookieHeader,
    SESSION_COOKIE,
  );
  if (!token) return { kind: 'none' };
  if (!SAFE_METHODS.has(req.method.toUpperCase()) && !req.headers[CSRF_HEADER])
    return { kind: 'csrf-missing' };
  return { kind: 'cookie', authorization: `Bearer ${token}` };
}
