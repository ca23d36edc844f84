import { readCookie, sessionAuth, sessionCookie } from './session-cookie';

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to / and Secure only when asked', () => {
    const c = sessionCookie('a.b.c', 3600, false);
    expect(c).toBe('agentops_session=a.b.c; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600');
    expect(sessionCookie('t', 60, true)).toMatch(/; Secure$/);
  });

  it('reads one cookie among several', () => {
    expect(readCookie('a=1; agentops_session=tok%2Ben; b=2', 'agentops_session')).toBe('tok+en');
    expect(readCookie('a=1', 'agentops_session')).toBeUndefined();
    expect(readCookie(undefined, 'agentops_session')).toBeUndefined();
  });

  it('prefers an explicit bearer header over the cookie', () => {
    expect(
      sessionAuth({ method: 'POST', headers: { authorization: 'Bearer x', cookie: 'agentops_session=y' } }),
    ).toEqual({
      kind: 'header',
    });
  });

  it('turns the cookie into a bearer header for reads', () => {
    expect(sessionAuth({ method: 'GET', headers: { cookie: 'agentops_session=y' } })).toEqual({
      kind: 'cookie',
      authorization: 'Bearer y',
    });
  });

  it('refuses a cookie-authenticated change without the CSRF header', () => {
    expect(sessionAuth({ method: 'POST', headers: { cookie: 'agentops_session=y' } })).toEqual({
      kind: 'csrf-missing',
    });
    expect(
      sessionAuth({ method: 'POST', headers: { cookie: 'agentops_session=y', 'x-agentops-csrf': '1' } }),
    ).toEqual({ kind: 'cookie', authorization: 'Bearer y' });
  });

  it('is none without cookie or header', () => {
    expect(sessionAuth({ method: 'GET', headers: {} })).toEqual({ kind: 'none' });
  });
});
