import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { repoRoot } from '../kafka-access/local-principals';

/**
 * Every runtime dependency is one the code loads: an unused one is attack surface and install time
 * for nothing (issue #20 found `nestjs-pino` listed and never imported). A dependency loaded only by
 * another package, by name, is listed below with the package that loads it.
 */
const root = repoRoot();
const loadedByName: Record<string, string> = {
  '@nestjs/platform-express': '@nestjs/core loads the HTTP adapter by name',
  pg: 'typeorm loads the PostgreSQL driver by name',
};
const sourceDirs = ['libs', 'services', 'tools', 'bench', 'test', 'scripts'];
const sourceExtensions = new Set(['.ts', '.tsx', '.js', '.mjs', '.cjs', '.sh']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return sourceExtensions.has(extname(name)) ? [path] : [];
  });
}

/** The package of each module specifier the code names (`a/b` → `a`, `@s/a/b` → `@s/a`). */
export function packagesNamed(code: string): Set<string> {
  const specifiers = [
    ...code.matchAll(
      /(?:from\s+|import\s*\(\s*|require(?:\.resolve)?\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g,
    ),
    ...code.matchAll(/node\s+(?:-r|--require)\s+([^\s./][^\s]*)/g),
  ].map((m) => m[1]!);
  return new Set(
    specifiers.map((s) =>
      s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.replace(/^node:/, '').split('/')[0]!,
    ),
  );
}

describe('package.json dependencies', () => {
  const named = new Set(
    sourceDirs
      .flatMap((dir) => sources(join(root, dir)))
      .flatMap((file) => [...packagesNamed(readFileSync(file, 'utf8'))]),
  );
  const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };

  it('lists only packages the code loads', () => {
    expect(Object.keys(dependencies).filter((d) => !named.has(d) && !(d in loadedByName))).toEqual([]);
  });

  it('names a dependency loaded by another package only while it is a dependency', () => {
    expect(Object.keys(loadedByName).filter((d) => !(d in dependencies))).toEqual([]);
  });

  it('reads module specifiers as Node does', () => {
    expect([
      ...packagesNamed(
        "import a from 'kafkajs';\nimport type { X } from '@nestjs/common/x';\nrequire('node:fs');\nimport('./local');\nimport 'reflect-metadata';",
      ),
    ]).toEqual(['kafkajs', '@nestjs/common', 'fs', 'reflect-metadata']);
  });
});
