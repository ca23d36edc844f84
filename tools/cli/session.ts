import { Command, Option } from 'commander';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiError, apiTargets, callApi } from './api-client';
import { PageOptions, fetchPages, moreHint, withPageOptions } from './pages';
import { Globals, UsageError, commandGroup, formatTable, printer } from './cli-kit';

/**
 * `agentops login | logout | whoami` and `agentops users …`: humans sign in with a password at the
 * console service (the same login the web console uses) and the CLI keeps the token, like
 * `gh auth login` or `kubectl` contexts, in a file only its owner can read.
 */
export interface SavedSession {
  consoleUrl: string;
  token: string;
  expiresAt: string;
  user: { id: string; tenantId: string; roles: string[]; groups?: string[]; displayName: string };
}

export const credentialsFile = (env: NodeJS.ProcessEnv = process.env) =>
  env.AGENTOPS_CREDENTIALS_FILE ||
  join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'agentops', 'credentials.json');

/** The saved token while it is valid; expired or unreadable sessions count as none. */
export function savedToken(env: NodeJS.ProcessEnv = process.env, now = Date.now()): string | undefined {
  try {
    const s = JSON.parse(readFileSync(credentialsFile(env), 'utf8')) as SavedSession;
    return Date.parse(s.expiresAt) > now ? s.token : undefined;
  } catch {
    return undefined;
  }
}

/** Whole stdin (for `--password-stdin`), without its final newline. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError('no terminal to ask for the password: use --password-stdin');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(question);
  muted._writeToOutput = () => undefined;
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    }),
  );
}

async function password(fromStdin: boolean | undefined, variable: string, question: string): Promise<string> {
  if (fromStdin) return readStdin();
  return process.env[variable] || prompt(question);
}

export function registerSessionCommands(program: Command, globals: Globals): void {
  const print = printer(globals);
  const consoleUrl = () => apiTargets().console;

  program
    .command('login')
    .description('sign in with your console username and password; the token is saved for later commands')
    .requiredOption('-u, --username <username>')
    .option('--password-stdin', 'read the password from stdin (else AGENTOPS_PASSWORD, else a prompt)')
    .option('--print-token', 'print only the token (for AGENTOPS_TOKEN=$(…)), and save nothing')
    .action(async (o: { username: string; passwordStdin?: boolean; printToken?: boolean }) => {
      const secret = await password(o.passwordStdin, 'AGENTOPS_PASSWORD', 'Password: ');
      if (!secret) throw new UsageError('empty password');
      let session: Omit<SavedSession, 'consoleUrl'>;
      try {
        const res = await fetch(`${consoleUrl()}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: o.username, password: secret, returnToken: true }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        if (!res.ok) throw new ApiError(res.status, body);
        session = body as unknown as Omit<SavedSession, 'consoleUrl'>;
      } catch (error) {
        if (error instanceof ApiError) throw error;
        throw new Error(
          `cannot reach ${consoleUrl()}: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}; is the console service running? (AGENTOPS_CONSOLE_URL)`,
        );
      }
      if (o.printToken) {
        console.log(session.token);
        return;
      }
      const file = credentialsFile();
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${JSON.stringify({ consoleUrl: consoleUrl(), ...session }, null, 2)}\n`, {
        mode: 0o600,
      });
      chmodSync(file, 0o600);
      print(
        { user: session.user, expiresAt: session.expiresAt, credentialsFile: file },
        (r) =>
          `signed in as ${r.user.id} (${r.user.roles.join(', ')}) of tenant ${r.user.tenantId}; token saved to ${r.credentialsFile} until ${r.expiresAt}`,
      );
    });

  program
    .command('logout')
    .description('revoke the token at every service (the saved login, or --token) and forget the saved one')
    .action(async () => {
      const file = credentialsFile();
      const token = globals().token;
      let revoked = false;
      if (token) {
        // Best effort: the saved file goes whatever the console says, so a dead console cannot keep you signed in here.
        revoked = await fetch(`${consoleUrl()}/v1/auth/logout`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(10_000),
        })
          .then((res) => res.ok)
          .catch(() => false);
      }
      rmSync(file, { force: true });
      print(
        { credentialsFile: file, removed: true, revoked },
        (r) =>
          `signed out (${r.credentialsFile} removed${token ? (r.revoked ? '; token revoked at every service' : '; the console could not be told: the token stays valid until it expires') : ''})`,
      );
    });

  program
    .command('whoami')
    .description('who the current token belongs to (--token, AGENTOPS_TOKEN or the saved login)')
    .action(async () => {
      const out = await callApi<{ user: SavedSession['user'] }>(
        'GET',
        `${consoleUrl()}/v1/auth/me`,
        globals().token,
      );
      print(
        out,
        (r) =>
          `${r.user.id} (${r.user.displayName}) · tenant ${r.user.tenantId} · roles ${r.user.roles.join(', ')}${r.user.groups?.length ? ` · groups ${r.user.groups.join(', ')}` : ''}`,
      );
    });

  const users = commandGroup(program, 'users', 'console and CLI users (admin): list, add, set');
  const listOf = (raw: string) =>
    raw
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
  const rolesOf = listOf;

  withPageOptions(
    users
      .command('list')
      .description('users of your tenant (the operator: every tenant, or --tenant)')
      .option('--tenant <tenantId>'),
  ).action(async (o: PageOptions & { tenant?: string }) => {
    const url = new URL(`${consoleUrl()}/v1/users`);
    if (o.tenant) url.searchParams.set('tenantId', o.tenant);
    const out = await fetchPages<
      'users',
      {
        id: string;
        tenantId: string;
        displayName: string;
        roles: string[];
        groups: string[];
        disabled: boolean;
        lastLoginAt: string | null;
      }
    >(url.toString(), 'users', o, globals().token);
    print(
      out,
      (r) =>
        (r.users.length === 0
          ? '(no users)'
          : formatTable(
              ['ID', 'TENANT', 'ROLES', 'GROUPS', 'STATE', 'LAST LOGIN'],
              r.users.map((u) => [
                u.id,
                u.tenantId,
                u.roles.join(','),
                u.groups.join(',') || '-',
                u.disabled ? 'disabled' : 'active',
                u.lastLoginAt ?? 'never',
              ]),
            )) + moreHint(r.next),
    );
  });

  users
    .command('add')
    .description('create a user with a password (≥ 12 characters, stored as a scrypt hash)')
    .requiredOption('--id <username>')
    .requiredOption('--tenant <tenantId>', 'the tenant it belongs to (`*`: every tenant, operator only)')
    .requiredOption('--roles <roles>', 'comma-separated: sre, reviewer, lead, auditor, policy-admin, admin')
    .option('--groups <groups>', 'comma-separated reviewer groups (as escalation routes name them)')
    .option('--display-name <name>')
    .option('--password-stdin', 'read the password from stdin (else AGENTOPS_NEW_PASSWORD, else a prompt)')
    .action(
      async (o: {
        id: string;
        tenant: string;
        roles: string;
        groups?: string;
        displayName?: string;
        passwordStdin?: boolean;
      }) => {
        const secret = await password(o.passwordStdin, 'AGENTOPS_NEW_PASSWORD', `Password for ${o.id}: `);
        const out = await callApi<{ user: { id: string; tenantId: string; roles: string[] } }>(
          'POST',
          `${consoleUrl()}/v1/users`,
          globals().token,
          {
            id: o.id,
            tenantId: o.tenant,
            roles: rolesOf(o.roles),
            ...(o.groups !== undefined ? { groups: listOf(o.groups) } : {}),
            password: secret,
            ...(o.displayName ? { displayName: o.displayName } : {}),
          },
        );
        print(out, (r) => `created ${r.user.id} (${r.user.roles.join(', ')}) in tenant ${r.user.tenantId}`);
      },
    );

  users
    .command('set')
    .description(
      'change a user: roles, groups, display name, password, or disable/enable (access changes revoke their tokens)',
    )
    .argument('<username>')
    .option('--roles <roles>', 'comma-separated, replaces the current roles')
    .option('--groups <groups>', "comma-separated reviewer groups, replaces the current ones ('' for none)")
    .option('--display-name <name>')
    .option('--password-stdin', 'set a new password read from stdin')
    .addOption(new Option('--disable', 'refuse their sign-ins').conflicts('enable'))
    .option('--enable', 'allow their sign-ins again')
    .action(
      async (
        id: string,
        o: {
          roles?: string;
          groups?: string;
          displayName?: string;
          passwordStdin?: boolean;
          disable?: boolean;
          enable?: boolean;
        },
      ) => {
        const change = {
          ...(o.roles ? { roles: rolesOf(o.roles) } : {}),
          ...(o.groups !== undefined ? { groups: listOf(o.groups) } : {}),
          ...(o.displayName ? { displayName: o.displayName } : {}),
          ...(o.passwordStdin ? { password: await readStdin() } : {}),
          ...(o.disable ? { disabled: true } : o.enable ? { disabled: false } : {}),
        };
        if (Object.keys(change).length === 0)
          throw new UsageError(
            'nothing to change: give --roles, --groups, --display-name, --password-stdin, --disable or --enable',
          );
        const out = await callApi<{
          user: { id: string; roles: string[]; groups: string[]; disabled: boolean };
        }>('PATCH', `${consoleUrl()}/v1/users/${encodeURIComponent(id)}`, globals().token, change);
        print(
          out,
          (r) =>
            `${r.user.id}: ${r.user.roles.join(', ')}${r.user.groups.length ? ` · groups ${r.user.groups.join(', ')}` : ''}${r.user.disabled ? ' (disabled)' : ''}`,
        );
      },
    );
}
