import { readCookie, sessionAuth, sessionCookie } from './session-cookie';

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to / and Secure only when asked', () => {
    const attributes = (c: string) => c.split('; ').sort();
    expect(attributes(sessionCookie('a.b.c', 3600, false))).toEqual(
      ['agentops_session=a.b.c', 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=3600'].sort(),
    );
    expect(attributes(sessionCookie('t', 60, true))).toContain('Secure');
    expect(sessionCookie('a+b/c=', 60, false)).toMatch(/^agentops_session=a%2Bb%2Fc%3D;/);
  });

  it('reads one cookie among several', () => {
    expect(readCookie('a=1; agentops_session=tok%2Ben; b=2', 'agentops_session')).toBe('tok+en');
    expect(readCookie('a=1', 'agentops_session')).toBeUndefined();
    expect(readCookie(undefined, 'agentops_session')).toBeUndefined();
  });

  it('reads a cookie whose value is not valid percent-encoding as it is, without throwing', () => {
    expect(readCookie('agentops_session=%E0%A4%A', 'agentops_session')).toBe('%E0%A4%A');
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
