import { RunningService } from '@agentops/service-runtime';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, CliResult, runCli } from '../support/cli';
import { bootService } from '../support/platform';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

/**
 * `agentops login | whoami | logout | users …` spawned as the built binary against the console
 * and kill-switch services on the real stack: sign in with a password, use the saved token, manage
 * users. Needs `npm run build` first (scripts/test.sh builds before it tests).
 */
const TENANT = 'maison-login';
const SUFFIX = Date.now().toString(36);
const PASSWORD = 'a passphrase for the cli';

describe('agentops login, whoami, logout and users on the real stack', () => {
  let consoleSvc: RunningService;
  let killswitch: RunningService;
  const credentials = join(mkdtempSync(join(tmpdir(), 'agentops-login-')), 'credentials.json');
  const sam = `sam-${SUFFIX}`;

  const cli = (args: string[], opts: { token?: string; stdin?: string } = {}) =>
    runCli(
      args,
      {
        HOME: tmpdir(),
        AGENTOPS_CONSOLE_URL: consoleSvc.url,
        AGENTOPS_KILLSWITCH_URL: killswitch.url,
        AGENTOPS_CREDENTIALS_FILE: credentials,
        ...(opts.token ? { AGENTOPS_TOKEN: opts.token } : {}),
      },
      opts.stdin,
    );
  const ok = (r: CliResult) => {
    if (r.code !== 0) throw new Error(`CLI exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const oneLineError = (r: CliResult, pattern: RegExp) => {
    expect({ code: r.code, lines: r.stderr.trimEnd().split('\n').length }).toEqual({ code: 1, lines: 1 });
    expect(r.stderr.trimEnd()).toMatch(pattern);
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    killswitch = await bootService('killswitch');
    consoleSvc = await bootService('console', { KILLSWITCH_URL: killswitch.url });
  });

  afterAll(async () => {
    await consoleSvc?.close();
    await killswitch?.close();
  });

  it('users add / list / set with the operator token; bad input is one line', async () => {
    const operator = { token: TEST_OPERATOR_TOKEN };
    expect(
      ok(
        await cli(['users', 'add', '--id', sam, '--tenant', TENANT, '--roles', 'sre', '--password-stdin'], {
          ...operator,
          stdin: `${PASSWORD}\n`,
        }),
      ),
    ).toContain(`created ${sam} (sre) in tenant ${TENANT}`);
    ok(
      await cli(
        [
          'users',
          'add',
          '--id',
          `rita-${SUFFIX}`,
          '--tenant',
          TENANT,
          '--roles',
          'reviewer,auditor',
          '--password-stdin',
        ],
        { ...operator, stdin: PASSWORD },
      ),
    );
    oneLineError(
      await cli(
        ['users', 'add', '--id', `weak-${SUFFIX}`, '--tenant', TENANT, '--roles', 'sre', '--password-stdin'],
        { ...operator, stdin: 'short' },
      ),
      /HTTP 400: password: must be at least 12 characters/,
    );
    oneLineError(
      await cli(['users', 'add', '--id', sam, '--tenant', TENANT, '--roles', 'sre', '--password-stdin'], {
        ...operator,
        stdin: PASSWORD,
      }),
      /HTTP 409: user .* already exists/,
    );
    const listed = JSON.parse(
      ok(await cli(['-o', 'json', 'users', 'list', '--tenant', TENANT], operator)),
    ) as {
      users: { id: string; roles: string[] }[];
    };
    expect(listed.users.map((u) => [u.id, u.roles])).toEqual([
      [`rita-${SUFFIX}`, ['reviewer', 'auditor']],
      [sam, ['sre']],
    ]);
    expect(ok(await cli(['users', 'set', `rita-${SUFFIX}`, '--roles', 'reviewer'], operator))).toContain(
      `rita-${SUFFIX}: reviewer`,
    );
    oneLineError(await cli(['users', 'set', `rita-${SUFFIX}`], operator), /nothing to change/);
  });

  it('login saves a token only its owner can read; later commands use it; a wrong password is one line', async () => {
    oneLineError(
      await cli(['login', '-u', sam, '--password-stdin'], { stdin: 'not it' }),
      /HTTP 401: invalid username or password/,
    );
    expect(existsSync(credentials)).toBe(false);

    expect(ok(await cli(['login', '-u', sam, '--password-stdin'], { stdin: `${PASSWORD}\n` }))).toContain(
      `signed in as ${sam} (sre) of tenant ${TENANT}`,
    );
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(ok(await cli(['whoami']))).toContain(`${sam} (${sam}) · tenant ${TENANT} · roles sre`);
    // The saved user token is accepted by the services themselves: an SRE may list and flip.
    expect(ok(await cli(['killswitch', 'list'])).trim()).toBe('no kill switches'); // none yet in this tenant
    const flipped = JSON.parse(
      ok(
        await cli([
          '-o',
          'json',
          'killswitch',
          'flip',
          '--role',
          'pricing',
          '--reason',
          'from a saved login',
          '--ttl',
          '60',
        ]),
      ),
    ) as { id: string; selector: { tenantId: string }; actor: string };
    expect(flipped.selector.tenantId).toBe(TENANT);
    expect(flipped.actor).toBe(`user:${sam}`);
    const listed = JSON.parse(ok(await cli(['-o', 'json', 'killswitch', 'list']))) as {
      switches: { id: string; actor: string }[];
    };
    expect(listed.switches.map((s) => [s.id, s.actor])).toEqual([[flipped.id, `user:${sam}`]]);
    ok(await cli(['killswitch', 'release', flipped.id]));

    const printed = ok(
      await cli(['login', '-u', sam, '--password-stdin', '--print-token'], { stdin: PASSWORD }),
    ).trim();
    expect(printed.split('.')).toHaveLength(3); // a JWT, for AGENTOPS_TOKEN=$(…)

    expect(ok(await cli(['logout']))).toContain('signed out');
    expect(existsSync(credentials)).toBe(false);
    oneLineError(await cli(['whoami']), /no token: run agentops login/);
  });

  it('a disabled user can no longer sign in', async () => {
    ok(await cli(['users', 'set', `rita-${SUFFIX}`, '--disable'], { token: TEST_OPERATOR_TOKEN }));
    oneLineError(
      await cli(['login', '-u', `rita-${SUFFIX}`, '--password-stdin'], { stdin: PASSWORD }),
      /HTTP 401/,
    );
  });

  it('users add/set --groups give reviewer groups that travel in the token; logout revokes it at the services', async () => {
    const lena = `lena-${SUFFIX}`;
    const operator = { token: TEST_OPERATOR_TOKEN };
    ok(
      await cli(
        [
          'users',
          'add',
          '--id',
          lena,
          '--tenant',
          TENANT,
          '--roles',
          'sre',
          '--groups',
          'service-leads,reviewers',
          '--password-stdin',
        ],
        { ...operator, stdin: PASSWORD },
      ),
    );
    expect(ok(await cli(['users', 'set', lena, '--groups', 'brand-pricing'], operator))).toContain(
      `${lena}: sre · groups brand-pricing`,
    );
    const listed = JSON.parse(
      ok(await cli(['-o', 'json', 'users', 'list', '--tenant', TENANT], operator)),
    ) as {
      users: { id: string; groups: string[] }[];
    };
    expect(listed.users.find((u) => u.id === lena)?.groups).toEqual(['brand-pricing']);
    oneLineError(
      await cli(['users', 'set', lena, '--groups', 'Not A Group'], operator),
      /HTTP 400: .*groups\.0/,
    );

    ok(await cli(['login', '-u', lena, '--password-stdin'], { stdin: PASSWORD }));
    expect(ok(await cli(['whoami']))).toContain('groups brand-pricing');
    const token = ok(
      await cli(['login', '-u', lena, '--password-stdin', '--print-token'], { stdin: PASSWORD }),
    ).trim();
    // Proven at the console only: killswitch has not cached this token, so its first look is after the revocation.
    expect(ok(await cli(['whoami'], { token }))).toContain(lena);
    expect(ok(await cli(['logout'], { token }))).toContain('token revoked at every service');
    oneLineError(await cli(['killswitch', 'list'], { token }), /HTTP 401: token revoked/);
  });
});
