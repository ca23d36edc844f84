import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commitOf } from './commit';

/** The repository root seen from a compiled bench (`dist/bench/<name>/main.js`). */
export const repositoryRoot = resolve(__dirname, '../../..');

/**
 * Writes `docs/bench/<name>.json`, the summary the team compares runs by: the bench's own keys, then
 * `commit` (of the measured paths) and `date`. Returns what it wrote.
 */
export function writeBenchSummary<T extends object>(
  name: string,
  fields: T,
  measuredPaths: string[],
): T & { commit: string; date: string } {
  const summary = {
    ...fields,
    commit: commitOf(repositoryRoot, measuredPaths),
    date: new Date().toISOString(),
  };
  mkdirSync(resolve(repositoryRoot, 'docs/bench'), { recursive: true });
  writeFileSync(resolve(repositoryRoot, `docs/bench/${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
