/**
 * Builds `@agentops/sdk` as a publishable package and packs it: `dist/packages/sdk/` holds the
 * package (its package.json, README, the SDK and the `agentops` CLI as CommonJS bundles, and the
 * SDK's type declarations), `dist/packages/agentops-sdk-<version>.tgz` the tarball `npm publish`
 * or `npm install <tarball>` takes.
 *
 * The bundles carry the repository's own libraries (`@agentops/contracts`, `@agentops/retry`, …:
 * private workspaces, never published) and leave every npm package external; those the bundles
 * import become the package's dependencies, at the versions of the root package.json. The types
 * are tsc's declarations of the SDK and the libraries it names, their `@agentops/*` imports
 * rewritten to relative paths inside the package.
 *
 *   npm run pack:sdk        (build, then node dist/tools/packaging/pack-sdk.js)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { build, Metafile } from 'esbuild';
import { repoRoot } from '../kafka-access/local-principals';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

const root = repoRoot();
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The npm package a bare import names (`a/b` → `a`, `@s/a/b` → `@s/a`), or null for a relative one. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The npm packages the bundles left external, at the versions the root manifest pins. */
export function externalDependencies(
  metafiles: Metafile[],
  pinned: Record<string, string>,
): Record<string, string> {
  const used = new Set<string>();
  for (const meta of metafiles)
    for (const output of Object.values(meta.outputs))
      for (const i of output.imports) {
        const pkg = i.external ? packageOf(i.path) : null;
        if (pkg && pkg in pinned) used.add(pkg);
      }
  return Object.fromEntries([...used].sort().map((p) => [p, pinned[p]!]));
}

/** `from '@agentops/<lib>[/<sub>]'` in a declaration file → the relative path of that lib's declarations. */
export function relativeTypeImports(dts: string, fromFile: string, typesRoot: string): string {
  return dts.replace(
    /(['"])@agentops\/([a-z-]+)(?:\/([a-z-]+))?\1/g,
    (_m, q: string, lib: string, sub?: string) => {
      const target = join(typesRoot, 'libs', lib, 'src', sub ?? 'index');
      let rel = relative(dirname(fromFile), target).split('\\').join(posix.sep);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `${q}${rel}${q}`;
    },
  );
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

export async function packSdk(): Promise<{ dir: string; tarball: string }> {
  const rootManifest = readJson<Manifest>(join(root, 'package.json'));
  const sdkManifest = readJson<Manifest>(join(root, 'libs/sdk/package.json'));
  const out = join(root, 'dist/packages');
  const dir = join(out, 'sdk');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  // Every npm package stays external (the root's dependencies and devDependencies); the repository's
  // libraries resolve through tsconfig paths to their sources and are bundled.
  const external = Object.keys({ ...rootManifest.dependencies, ...rootManifest.devDependencies });
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning' as const,
    external,
    tsconfig: join(root, 'tsconfig.base.json'),
  };
  const sdk = await build({
    ...common,
    entryPoints: [join(root, 'libs/sdk/src/index.ts')],
    outfile: join(dir, 'dist/index.js'),
  });
  const cli = await build({
    ...common,
    entryPoints: [join(root, 'tools/cli/agentops.ts')],
    outfile: join(dir, 'dist/agentops.js'),
    banner: { js: '#!/usr/bin/env node' },
  });

  // Declarations of the SDK and what it names, then their @agentops/* imports made relative.
  const typesRoot = join(dir, 'types');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'libs/sdk/tsconfig.pack.json')],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  for (const file of files(typesRoot).filter((f) => f.endsWith('.d.ts')))
    writeFileSync(file, relativeTypeImports(readFileSync(file, 'utf8'), file, typesRoot));

  const pinned = { ...rootManifest.devDependencies, ...rootManifest.dependencies };
  const { private: _private, main: _main, types: _types, bin: _bin, ...published } = sdkManifest;
  const manifest = {
    ...published,
    main: 'dist/index.js',
    types: 'types/libs/sdk/src/index.d.ts',
    bin: { agentops: 'dist/agentops.js' },
    files: ['dist', 'types', 'README.md'],
    dependencies: externalDependencies([sdk.metafile!, cli.metafile!], pinned),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync(join(root, 'libs/sdk/README.md'), join(dir, 'README.md'));

  const packed = execFileSync('npm', ['pack', dir, '--pack-destination', out, '--json', '--silent'], {
    cwd: out,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(packed) as { filename: string }[];
  return { dir, tarball: join(out, filename) };
}

if (require.main === module)
  packSdk().then(
    ({ dir, tarball }) =>
      console.log(`@agentops/sdk built in ${relative(root, dir)}, packed as ${relative(root, tarball)}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
