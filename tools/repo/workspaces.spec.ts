import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../kafka-access/local-principals';

/**
 * No runtime path aliases: a compiled entry point runs as plain `node dist/...`, its `@agentops/*`
 * imports resolved by Node through the npm workspace links (`node_modules/@agentops/<lib>` →
 * `libs/<lib>`, made by `npm install`). TypeScript and jest keep the tsconfig `paths` (sources);
 * this holds the two tables together, so a new lib or subpath without its workspace entry fails.
 */
const root = repoRoot();
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  workspaces: string[];
  scripts: Record<string, string>;
};

/** The file Node loads for an `@agentops/<lib>[/<sub>]` specifier inside the lib's workspace package. */
function entryFile(alias: string): string {
  const [scope, lib, sub] = alias.split('/');
  expect(scope).toBe('@agentops');
  if (sub) return join(root, 'libs', lib!, `${sub}.js`);
  const manifest = JSON.parse(readFileSync(join(root, 'libs', lib!, 'package.json'), 'utf8')) as {
    name: string;
    main: string;
  };
  expect(manifest.name).toBe(`@agentops/${lib}`);
  return join(root, 'libs', lib!, manifest.main);
}

describe('workspace packages instead of runtime path aliases', () => {
  it('makes every lib a workspace', () => {
    expect(rootManifest.workspaces).toEqual(['libs/*']);
  });

  it.each(Object.entries(compilerOptions.paths))('%s loads the compiled %s', (alias, [source]) => {
    const file = entryFile(alias);
    expect(existsSync(file)).toBe(true);
    const compiled = source!.replace(/\.ts$/, '.js');
    expect(readFileSync(file, 'utf8')).toContain(`require('../../dist/${compiled}')`);
  });

  it('runs no script through a path-alias loader', () => {
    expect(Object.entries(rootManifest.scripts).filter(([, s]) => /node\s+(-r|--require)\b/.test(s))).toEqual(
      [],
    );
    expect(existsSync(join(root, 'tools/runtime/register-paths.js'))).toBe(false);
  });
});
