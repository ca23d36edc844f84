import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../kafka-access/local-principals';

/**
 * Relative links in the repository's own Markdown resolve inside the repository: a clone has no
 * `../shared/`, and a moved file must not leave a dead link behind in the README or docs/.
 */
const root = repoRoot();
const skipped = new Set(['node_modules', 'dist', '.git', '.local', 'reports', '.nx']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (skipped.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** `[text](target)` and `[text](target "title")`, outside code spans; external and anchor-only links skipped. */
export function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(target))
    .map((target) => decodeURI(target.split('#')[0]!));
}

describe('Markdown links', () => {
  const files = markdownFiles(root);

  it('finds the README and the docs', () => {
    expect(files.map((f) => relative(root, f))).toEqual(
      expect.arrayContaining(['README.md', 'docs/architecture.md']),
    );
  });

  it.each(files.map((f) => [relative(root, f), f]))(
    '%s links only to files that exist in the repository',
    (_name, file) => {
      const dead = relativeLinks(readFileSync(file, 'utf8')).filter((target) => {
        const resolved = join(dirname(file), target);
        return !existsSync(resolved) || relative(root, resolved).startsWith('..');
      });
      expect(dead).toEqual([]);
    },
  );

  it('reads links as Markdown does', () => {
    expect(
      relativeLinks(
        '[a](docs/x.md) [b](https://e.org) [c](#top) [d](../y.md#s "t") `[e](no.md)` [f](z%20w.md)',
      ),
    ).toEqual(['docs/x.md', '../y.md', 'z w.md']);
  });
});
