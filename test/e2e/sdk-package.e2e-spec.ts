import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packSdk } from '../../tools/packaging/pack-sdk';
import { bootService } from '../support/platform';
import { TEST_TOKEN_SIGNER } from '../support/test-env';

const run = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command in the clean folder: only PATH and what is given (no repository variables, no HOME config). */
async function inFolder(
  cwd: string,
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: cwd,
        npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? cwd, '.npm'),
        ...env,
      },
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
}

/**
 * Issue #20 item 4: `@agentops/sdk` is a package a platform team installs. The test does what a
 * user does: packs it (`npm pack` of the built package), installs the tarball into an empty folder
 * outside the repository (its dependencies from the npm registry, through the local cache when it
 * has them), runs `npx agentops` there — help, a configuration mistake, and a real command against
 * a booted killswitch service — and compiles and runs a TypeScript program against the SDK's types.
 */
describe('the @agentops/sdk package, installed from its tarball into a clean folder', () => {
  let folder: string;
  let killswitch: RunningService;
  let sre: string;
  // `npx --no -- agentops …`: nothing fetched beyond what was installed, and npx's own options
  // (`--help`, `-o`) end at `--`.
  const npx = (args: string[], env: Record<string, string> = {}) =>
    inFolder(folder, 'npx', ['--no', '--', 'agentops', ...args], env);

  beforeAll(async () => {
    const { tarball, dir } = await packSdk();
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: '@agentops/sdk', bin: { agentops: 'dist/agentops.js' } });
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.dependencies as object).some((d) => d.startsWith('@agentops/'))).toBe(false);

    folder = mkdtempSync(join(tmpdir(), 'agentops-sdk-install-'));
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({ name: 'adopter', version: '1.0.0', private: true }),
    );
    const installed = await inFolder(folder, 'npm', [
      'install',
      tarball,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ]);
    if (installed.code !== 0) throw new Error(`npm install of ${tarball} failed: ${installed.stderr}`);

    killswitch = await bootService('killswitch');
    sre = await mintUserToken(
      { userId: 'pkg-sre', tenantId: 'pkg-tenant', roles: ['sre'], groups: [] },
      TEST_TOKEN_SIGNER,
    );
  }, 600_000);

  afterAll(async () => {
    await killswitch?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('npx agentops --help names the commands', async () => {
    const help = await npx(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: agentops /);
    for (const command of ['policy', 'killswitch', 'escalations', 'audit'])
      expect(help.stdout).toContain(command);
  });

  it('a missing token is one line and exit 1', async () => {
    const noToken = await npx(['policy', 'list']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr.trim()).toMatch(/^agentops: no token: .*pass --token or set AGENTOPS_TOKEN$/);
  });

  it('lists the kill switches of a booted killswitch service', async () => {
    const listed = await npx(['-o', 'json', 'killswitch', 'list'], {
      AGENTOPS_TOKEN: sre,
      AGENTOPS_KILLSWITCH_URL: killswitch.url,
    });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ switches: expect.any(Array) });
  });

  it('types the SDK for a TypeScript program, which runs against the installed package', async () => {
    writeFileSync(
      join(folder, 'agent.ts'),
      [
        "import { AgentOpsClient, IntentDeniedError } from '@agentops/sdk';",
        "const client: AgentOpsClient = new AgentOpsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'key' });",
        'const denied: typeof IntentDeniedError = IntentDeniedError;',
        'console.log(typeof client.guard, denied.name);',
        '',
      ].join('\n'),
    );
    const tsc = await inFolder(folder, process.execPath, [
      require.resolve('typescript/bin/tsc'),
      '--strict',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node',
      '--target',
      'es2022',
      '--types',
      'node',
      '--typeRoots',
      join(__dirname, '../../node_modules/@types'),
      '--esModuleInterop',
      'agent.ts',
    ]);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    const ran = await inFolder(folder, process.execPath, ['agent.js']);
    expect(ran.stdout.trim()).toBe('function IntentDeniedError');
  }, 300_000); // tsc checks the package's declarations and zod's: minutes on a loaded machine
});
