import { RunningService } from '@agentops/service-runtime';
import { postJson } from '../support/agent-http';
import { bootService } from '../support/platform';
import { TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

/**
 * Brute-force limits on sign-in (Redis-backed, shared by every console instance): per username and
 * per client address, each attempt counted before its password is checked, so guesses sent in
 * parallel cannot get more tries than the limit.
 */
const TENANT = 'maison-limits';
const SUFFIX = Date.now().toString(36);
const PASSWORD = 'the right passphrase here';

describe('sign-in limits on the real stack', () => {
  const consoles: RunningService[] = [];
  // Each console counts in its own Redis corner: the whole run signs in from 127.0.0.1.
  const bootConsole = async (env: Record<string, string>, corner: string) => {
    const svc = await bootService('console', {
      REDIS_KEY_PREFIX: `agentops-test:${runPrefix()}${corner}:`,
      ...env,
    });
    consoles.push(svc);
    return svc;
  };
  const login = async (svc: RunningService, username: string, password: string, forwardedFor?: string) => {
    const res = await fetch(`${svc.url}/v1/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  };
  const createUser = async (svc: RunningService, id: string) =>
    expect(
      (
        await postJson(
          `${svc.url}/v1/users`,
          { id, tenantId: TENANT, roles: ['sre'], password: PASSWORD },
          { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
        )
      ).status,
    ).toBe(201);

  afterAll(async () => {
    for (const svc of consoles) await svc.close();
  });

  it('parallel guesses at one account: exactly LOGIN_MAX_FAILURES are checked, the rest are refused unchecked', async () => {
    const svc = await bootConsole({ LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '1000' }, 'user');
    const user = `gina-${SUFFIX}`;
    await createUser(svc, user);
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(svc, user, `wrong guess number ${i}`)),
    );
    const statuses = guesses.map((g) => g.status).sort();
    expect(statuses).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
    // Locked: even the right password is not checked now.
    const locked = await login(svc, user, PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    // Another account is not affected.
    const other = `hugo-${SUFFIX}`;
    await createUser(svc, other);
    expect((await login(svc, other, PASSWORD)).status).toBe(200);
  });

  it('a success forgets the failures before it', async () => {
    const svc = consoles[0]!;
    const user = `ines-${SUFFIX}`;
    await createUser(svc, user);
    for (let round = 0; round < 3; round++) {
      expect((await login(svc, user, 'wrong one')).status).toBe(401);
      expect((await login(svc, user, 'wrong two')).status).toBe(401);
      expect((await login(svc, user, PASSWORD)).status).toBe(200);
    }
  });

  it('one address spraying many usernames is refused after LOGIN_MAX_FAILURES_PER_IP failures', async () => {
    const svc = await bootConsole({ LOGIN_MAX_FAILURES: '100', LOGIN_MAX_FAILURES_PER_IP: '4' }, 'ip');
    const user = `jade-${SUFFIX}`;
    await createUser(svc, user);
    // Successes do not count against the address.
    for (let i = 0; i < 6; i++) expect((await login(svc, user, PASSWORD)).status).toBe(200);
    const sprayed = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(svc, `victim-${i}-${SUFFIX}`, 'Summer2026!')),
    );
    expect(sprayed.map((s) => s.status).sort()).toEqual([...Array(4).fill(401), ...Array(4).fill(429)]);
    expect((await login(svc, user, PASSWORD)).status).toBe(429);
    // No proxy is trusted by default: a forged X-Forwarded-For does not make a fresh address.
    const forged = await login(svc, `victim-x-${SUFFIX}`, 'Summer2026!', '198.51.100.1');
    expect(forged.status).toBe(429);
  });

  it('behind a trusted proxy (TRUST_PROXY) each forwarded client address has its own limit', async () => {
    const svc = await bootConsole(
      { LOGIN_MAX_FAILURES: '100', LOGIN_MAX_FAILURES_PER_IP: '2', TRUST_PROXY: 'loopback' },
      'proxy',
    );
    const spray = (client: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          login(svc, `victim-${client}-${i}-${SUFFIX}`, 'Summer2026!', client),
        ),
      );
    const first = await spray('203.0.113.7', 4);
    expect(first.map((s) => s.status).sort()).toEqual([401, 401, 429, 429]);
    // Another client behind the same proxy is not locked out by the first one's failures.
    const second = await spray('203.0.113.8', 1);
    expect(second.map((s) => s.status)).toEqual([401]);
  });
});
