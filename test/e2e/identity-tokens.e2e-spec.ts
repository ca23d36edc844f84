import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import {
  RunningService,
  ServiceTokenSigner,
  SigningKeyRing,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  USER_TOKEN_TYPE,
  generateSigningJwk,
} from '@agentops/service-runtime';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { postJson, priceIntent } from '../support/agent-http';
import { CLI_ROOT } from '../support/cli';
import { LogCapture } from '../support/log-capture';
import { ServiceName, bootService, eventually } from '../support/platform';
import { serviceDatabaseUrl } from '../support/test-database';
import {
  TEST_DATABASE,
  TEST_OPERATOR_TOKEN,
  TEST_SERVICE_KEYS,
  TEST_SIGNING_JWKS,
  TEST_TOKEN_SIGNER,
} from '../support/test-env';

/**
 * HTTP identities on the real stack, all six services booted: user tokens signed by the console
 * only and verified everywhere through its JWKS; revocation (disable, role change, sign-out)
 * reaching every service; key rotation; service principals; break-glass operator tokens; and no
 * credential in any log line.
 */
const TENANT = 'maison-tokens';
const SUFFIX = Date.now().toString(36);
const PASSWORD = 'a long sign-in passphrase';
const SERVICES: ServiceName[] = ['console', 'ingest', 'guardrail', 'escalation', 'killswitch', 'audit'];
/** One read each service lets any admin of the tenant make. */
const PROBES: Record<ServiceName, string> = {
  console: '/v1/auth/me',
  ingest: '/v1/agents',
  guardrail: '/v1/policies',
  escalation: '/v1/escalations',
  killswitch: '/v1/killswitches',
  audit: '/v1/audit/stats',
  rollout: '/v1/rollouts',
  access: '/v1/access/anomalies',
};
const BREAK_GLASS = join(CLI_ROOT, 'dist/services/console/src/operator-token.js');

describe('HTTP identities and tokens at every service, on the real stack', () => {
  const svc: Partial<Record<ServiceName, RunningService>> = {};
  const logs = new LogCapture();
  /** Every credential this suite handles: none may appear in any log line. */
  const secrets: string[] = [TEST_OPERATOR_TOKEN, PASSWORD];
  const url = (name: ServiceName, path: string) => `${svc[name]!.url}${path}`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let consolePort: number;

  const verifierEnv = () => ({
    // Fetched from the console, not pinned: the path a deployment takes.
    AUTH_JWKS: undefined,
    AUTH_JWKS_URL: url('console', '/.well-known/jwks.json'),
    AUTH_JWKS_COOLDOWN_SECONDS: '1',
    // Longer than these steps take, so a missed revocation message would show as a stale 200.
    AUTH_REVOCATION_CACHE_MS: '5000',
    LOG_LEVEL: 'debug',
  });
  const bootConsole = (env: Record<string, string | undefined> = {}) =>
    bootService(
      'console',
      {
        AUTH_JWKS: undefined,
        LOG_LEVEL: 'debug',
        // The proxy's targets, once they are up (the console boots first: the others fetch its keys).
        INGEST_URL: svc.ingest?.url,
        GUARDRAIL_URL: svc.guardrail?.url,
        ESCALATION_URL: svc.escalation?.url,
        KILLSWITCH_URL: svc.killswitch?.url,
        AUDIT_URL: svc.audit?.url,
        ...env,
      },
      { logDestination: logs.stream('console') },
    );

  beforeAll(async () => {
    svc.console = await bootConsole();
    consolePort = Number(new URL(svc.console.url).port);
    for (const name of SERVICES.filter((s) => s !== 'console'))
      svc[name] = await bootService(name, verifierEnv(), { logDestination: logs.stream(name) });
    for (const [id, roles, groups] of [
      [`ada-${SUFFIX}`, ['admin'], ['service-leads']],
      [`rita-${SUFFIX}`, ['admin'], []],
      [`leo-${SUFFIX}`, ['admin'], []],
    ] as const) {
      const created = await postJson(
        url('console', '/v1/users'),
        { id, tenantId: TENANT, roles, groups, password: PASSWORD },
        bearer(TEST_OPERATOR_TOKEN),
      );
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    for (const name of [...SERVICES].reverse()) await svc[name]?.close();
  });

  const login = async (username: string) => {
    const res = await fetch(url('console', '/v1/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD, returnToken: true }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { groups: string[] } };
    secrets.push(body.token);
    return { token: body.token, cookie: res.headers.get('set-cookie')!.split(';')[0]!, user: body.user };
  };
  const statusAt = async (name: ServiceName, token: string) =>
    (await fetch(url(name, PROBES[name]), { headers: bearer(token) })).status;
  const statusEverywhere = async (token: string) => {
    const out: Record<string, number> = {};
    for (const name of SERVICES) out[name] = await statusAt(name, token);
    return out;
  };
  const everywhere = (status: number) => Object.fromEntries(SERVICES.map((s) => [s, status]));
  const revocationMessages = async (name: ServiceName) => {
    const text = await (await fetch(url(name, '/metrics'))).text();
    return Number(/^agentops_auth_revocation_messages_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  };
  /**
   * Runs a revoking change, waits until every service has received the revocation message (its
   * counter moved: the positive marker), and returns how long each took — reported, not asserted.
   */
  const revokeAndAwaitEverywhere = async (change: () => Promise<void>) => {
    const before = Object.fromEntries(
      await Promise.all(SERVICES.map(async (s) => [s, await revocationMessages(s)] as const)),
    );
    const started = performance.now();
    await change();
    const took: Record<string, number> = {};
    await Promise.all(
      SERVICES.map(async (s) => {
        await eventually(async () => (await revocationMessages(s)) > before[s]!, 10_000, `${s} told`);
        took[s] = Math.round(performance.now() - started);
      }),
    );
    return took;
  };
  const claims = (over: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      sub: `ada-${SUFFIX}`,
      pk: 'human',
      tenant: TENANT,
      roles: ['admin'],
      groups: [],
      epoch: 0,
      iat: now,
      exp: now + 600,
      jti: '6a2b1c3d-0000-4000-8000-00000000abcd',
      ...over,
    };
  };

  it('the console publishes its public keys only; a signed-in user’s token works at every service', async () => {
    const jwks = (await (await fetch(url('console', '/.well-known/jwks.json'))).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys.map((k) => k['kid'])).toEqual([TEST_TOKEN_SIGNER.current.kid]);
    expect(jwks.keys.every((k) => k['d'] === undefined && k['kty'] === 'OKP')).toBe(true);

    const { token, user } = await login(`ada-${SUFFIX}`);
    expect(user.groups).toEqual(['service-leads']);
    expect(await statusEverywhere(token)).toEqual(everywhere(200));
  });

  it('refuses at every service a token that is expired, signed with another key, or for another issuer or audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = {
      expired: TEST_TOKEN_SIGNER.current.signJws(USER_TOKEN_TYPE, claims({ iat: now - 900, exp: now - 60 })),
      'another key': SigningKeyRing.generate().current.signJws(USER_TOKEN_TYPE, claims()),
      'wrong issuer': TEST_TOKEN_SIGNER.current.signJws(USER_TOKEN_TYPE, claims({ iss: 'agentops-ingest' })),
      'wrong audience': TEST_TOKEN_SIGNER.current.signJws(USER_TOKEN_TYPE, claims({ aud: 'somewhere-else' })),
    };
    // The control: the same claims, signed properly, pass — so each refusal is about its one flaw.
    expect(await statusEverywhere(TEST_TOKEN_SIGNER.current.signJws(USER_TOKEN_TYPE, claims()))).toEqual(
      everywhere(200),
    );
    for (const [flaw, token] of Object.entries(forged)) {
      secrets.push(token);
      expect({ flaw, statuses: await statusEverywhere(token) }).toEqual({ flaw, statuses: everywhere(401) });
    }
    const metrics = await (await fetch(url('killswitch', '/metrics'))).text();
    expect(metrics).toMatch(/agentops_auth_rejected_total\{[^}]*reason="invalid"[^}]*\} [1-9]/);
  });

  it('a disabled user’s token stops working at every service once the revocation reaches it', async () => {
    const { token } = await login(`rita-${SUFFIX}`);
    // Warm every service's cache with "not revoked": the revocation must clear it, not wait it out.
    expect(await statusEverywhere(token)).toEqual(everywhere(200));
    const took = await revokeAndAwaitEverywhere(async () => {
      const res = await fetch(url('console', `/v1/users/rita-${SUFFIX}`), {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...bearer(TEST_OPERATOR_TOKEN) },
        body: JSON.stringify({ disabled: true }),
      });
      expect(res.status).toBe(200);
    });
    expect(await statusEverywhere(token)).toEqual(everywhere(401));
    const refused = await fetch(url('killswitch', PROBES.killswitch), { headers: bearer(token) });
    expect(((await refused.json()) as { message: string }).message).toBe('token revoked: sign in again');
    console.log(`revocation (disable) reached every service after ms: ${JSON.stringify(took)}`);
  });

  it('a role or group change revokes the old token at every service; signing in again carries the new ones', async () => {
    const before = await login(`leo-${SUFFIX}`);
    expect(await statusEverywhere(before.token)).toEqual(everywhere(200));
    await revokeAndAwaitEverywhere(async () => {
      const res = await fetch(url('console', `/v1/users/leo-${SUFFIX}`), {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...bearer(TEST_OPERATOR_TOKEN) },
        body: JSON.stringify({ roles: ['auditor'], groups: ['brand-pricing'] }),
      });
      expect(((await res.json()) as { user: { groups: string[] } }).user.groups).toEqual(['brand-pricing']);
    });
    expect(await statusAt('killswitch', before.token)).toBe(401);
    const after = await login(`leo-${SUFFIX}`);
    expect(after.user.groups).toEqual(['brand-pricing']);
    expect(await statusAt('audit', after.token)).toBe(200);
    // The auditor may no longer flip switches: the new roles are what the services see.
    const flip = await postJson(
      url('killswitch', '/v1/killswitches'),
      { selector: { tenantId: TENANT }, reason: 'not allowed' },
      bearer(after.token),
    );
    expect(flip.status).toBe(403);
  });

  it('console logout clears the cookie and revokes the session at every service', async () => {
    const { token, cookie } = await login(`ada-${SUFFIX}`);
    expect(await statusEverywhere(token)).toEqual(everywhere(200));
    // A cookie-authenticated change needs the CSRF header, logout included.
    const noCsrf = await fetch(url('console', '/v1/auth/logout'), { method: 'POST', headers: { cookie } });
    expect(noCsrf.status).toBe(403);
    let cleared: string | null = null;
    await revokeAndAwaitEverywhere(async () => {
      const res = await fetch(url('console', '/v1/auth/logout'), {
        method: 'POST',
        headers: { cookie, 'x-agentops-csrf': '1' },
      });
      expect(res.status).toBe(204);
      cleared = res.headers.get('set-cookie');
    });
    expect(cleared).toMatch(/^agentops_session=;/);
    expect(cleared!.split('; ')).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0']),
    );
    expect(await statusEverywhere(token)).toEqual(everywhere(401));
    expect((await fetch(url('console', '/v1/auth/me'), { headers: { cookie } })).status).toBe(401);
    // Only that session ended: the user signs in again and works.
    expect(await statusAt('killswitch', (await login(`ada-${SUFFIX}`)).token)).toBe(200);
    // Logout without a session is harmless.
    expect((await fetch(url('console', '/v1/auth/logout'), { method: 'POST' })).status).toBe(204);
  });

  it('services call each other with their own credentials, only where the callee allows them', async () => {
    const escalation = new ServiceTokenSigner('escalation', TEST_SERVICE_KEYS['escalation']!);
    const toGuardrail = escalation.tokenFor('guardrail');
    secrets.push(toGuardrail);
    // The one route escalation may call: past authentication, the (empty) body is the only problem.
    const allowed = await postJson(url('guardrail', '/v1/evaluations'), {}, bearer(toGuardrail));
    expect(allowed.status).toBe(400);
    expect((await fetch(url('guardrail', '/v1/policies'), { headers: bearer(toGuardrail) })).status).toBe(
      403,
    );
    // An assertion for guardrail is worthless elsewhere, and one for killswitch opens no route there.
    expect(await statusAt('killswitch', toGuardrail)).toBe(401);
    const toKillswitch = escalation.tokenFor('killswitch');
    secrets.push(toKillswitch);
    expect(await statusAt('killswitch', toKillswitch)).toBe(403);
    // A service without a trusted key is nobody.
    const impostor = new ServiceTokenSigner('escalation', generateSigningJwk()).tokenFor('guardrail');
    secrets.push(impostor);
    expect((await postJson(url('guardrail', '/v1/evaluations'), {}, bearer(impostor))).status).toBe(401);
  });

  it('break-glass: a short-lived operator token minted on the console host, recorded, logged at each use, revocable', async () => {
    if (!existsSync(BREAK_GLASS)) throw new Error(`${BREAK_GLASS} is missing: run \`npm run build\` first`);
    // The console's own environment: its database role and its signing keys.
    const env = {
      DATABASE_URL: serviceDatabaseUrl('console', TEST_DATABASE),
      AUTH_SIGNING_KEYS: JSON.stringify(TEST_SIGNING_JWKS),
    };
    const tooLong = await runNode(BREAK_GLASS, ['--reason', 'restore access', '--ttl', '2h'], env);
    expect({ code: tooLong.code, stderr: tooLong.stderr }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/--ttl must be between 60 s and BREAK_GLASS_MAX_TTL_SECONDS \(3600 s\)/),
    });
    const issued = await runNode(BREAK_GLASS, ['--reason', 'integration break-glass', '--ttl', '5m'], env);
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim();
    secrets.push(token);
    const tokenId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string })
      .jti;
    expect(issued.stderr).toContain('break-glass operator token issued');
    expect(issued.stderr).not.toContain(token.split('.')[2]);

    expect(await statusEverywhere(token)).toEqual(everywhere(200));
    const [row] = (await svc.console!.parts.dataSource.query(
      `SELECT reason, issued_by, revoked_at FROM break_glass_tokens WHERE token_id = $1`,
      [tokenId],
    )) as { reason: string; issued_by: string; revoked_at: Date | null }[];
    expect(row).toMatchObject({ reason: 'integration break-glass', revoked_at: null });
    expect(row!.issued_by).toMatch(/@/);
    await eventually(async () =>
      logs
        .messages('killswitch', 'break-glass operator call')
        .some(
          (l) =>
            l['breakGlass'] === tokenId &&
            l['reason'] === 'integration break-glass' &&
            l['path'] === '/v1/killswitches',
        ),
    );

    await revokeAndAwaitEverywhere(async () => {
      expect(
        (await fetch(url('console', '/v1/auth/logout'), { method: 'POST', headers: bearer(token) })).status,
      ).toBe(204);
    });
    expect(await statusEverywhere(token)).toEqual(everywhere(401));
    const [after] = (await svc.console!.parts.dataSource.query(
      `SELECT revoked_at FROM break_glass_tokens WHERE token_id = $1`,
      [tokenId],
    )) as { revoked_at: Date | null }[];
    expect(after!.revoked_at).not.toBeNull();
  });

  it('key rotation: the console signs with a new key while the old one stays valid; verifiers follow by key id', async () => {
    const old = await login(`ada-${SUFFIX}`);
    expect(await statusEverywhere(old.token)).toEqual(everywhere(200));
    // Restart the console with [new, old] on the same address the services fetch from.
    const next = generateSigningJwk();
    await svc.console!.close();
    svc.console = await bootConsole({
      HTTP_PORT: String(consolePort),
      AUTH_SIGNING_KEYS: JSON.stringify([next, ...TEST_SIGNING_JWKS]),
    });
    const jwks = (await (await fetch(url('console', '/.well-known/jwks.json'))).json()) as {
      keys: { kid: string }[];
    };
    const newKid = new SigningKeyRing([next]).current.kid;
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, TEST_TOKEN_SIGNER.current.kid]);

    // Tokens of the old key keep working during the rollover…
    expect(await statusEverywhere(old.token)).toEqual(everywhere(200));
    // …and the new key's tokens are accepted once each verifier fetched the JWKS again (an
    // unknown key id triggers the fetch, at most once per cool-down).
    const fresh = await login(`ada-${SUFFIX}`);
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0]!, 'base64url').toString())).toMatchObject({
      kid: newKid,
    });
    for (const name of SERVICES)
      await eventually(
        async () => (await statusAt(name, fresh.token)) === 200,
        10_000,
        `${name} accepts the new key`,
      );
  });

  it('no log line of any service holds a credential', async () => {
    // More traffic that carries credentials: cookie through the console proxy, an agent's API key.
    const { cookie } = await login(`ada-${SUFFIX}`);
    expect(
      (await fetch(url('console', '/api/killswitch/v1/killswitches'), { headers: { cookie } })).status,
    ).toBe(200);
    const { apiKey } = await AgentRegistry.of(svc.ingest!.parts.dataSource).register({
      id: `pricing-tokens-${SUFFIX}`,
      tenantId: TENANT,
      name: 'pricing',
      role: 'pricing',
      version: '1.0.0',
      region: 'eu-west',
    });
    secrets.push(apiKey);
    expect(
      (await postJson(url('ingest', '/v1/intents'), priceIntent('SKU-1', 10), { 'x-api-key': apiKey }))
        .status,
    ).toBe(202);
    expect((await postJson(url('ingest', '/v1/intents'), {}, { 'x-api-key': `${apiKey}x` })).status).toBe(
      401,
    );

    expect(logs.lines.length).toBeGreaterThan(50);
    for (const service of SERVICES) expect(logs.lines.some((l) => l.service === service)).toBe(true);
    // The sign-in answers were logged (with their Set-Cookie header redacted).
    expect(
      logs.lines.some((l) => l.line.includes('POST /v1/auth/login 200') && l.line.includes('[redacted]')),
    ).toBe(true);
    const fragments = secrets.flatMap((s) =>
      s.split('.').length === 3
        ? s
            .split('.')
            .slice(1)
            .filter((part) => part.length >= 16)
        : [s.slice(-24)],
    );
    const leaks = logs.lines.filter(
      (l) =>
        fragments.some((f) => l.line.includes(f)) || /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/.test(l.line),
    );
    expect(leaks.map((l) => `${l.service}: ${l.line.slice(0, 300)}`)).toEqual([]);
  });
});

function runNode(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: CLI_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
