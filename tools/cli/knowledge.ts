import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { apiTargets, callApi } from './api-client';
import { PageOptions, fetchPages, moreHint, withPageOptions } from './pages';
import { Globals, UsageError, commandGroup, printer, wholeNumber } from './cli-kit';

/**
 * `agentops knowledge <command>`: a tenant's approved knowledge through guardrail's API with the
 * caller's token (policy-admin or admin to import; auditors and SREs read).
 *
 *   agentops knowledge import maison-demo catalog.csv [--format csv] [--force]
 *   agentops knowledge versions maison-demo
 *   agentops knowledge diff maison-demo 3 4
 */
interface VersionView {
  kbVersion: number;
  summary: string;
  format: string;
  products: number;
  importedBy: string;
  importedAt: string;
}

interface ImportView {
  tenantId: string;
  kbVersion: number;
  changed: boolean;
  /** No fact changed but the import was read later: the version took its read times. */
  readTimesRefreshed?: boolean;
  products: number;
  diff: { summary: string };
}

interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}
interface Keyed {
  added: string[];
  removed: string[];
  changed: { id: string; changes: FieldChange[] }[];
}
interface DiffView {
  from: number;
  to: number;
  diff: {
    products: Keyed;
    copy: Keyed;
    approvedClaims: Keyed;
    policies: FieldChange[];
    voice: Record<string, string[]>;
    freshness: FieldChange[];
    summary: string;
    empty: boolean;
  };
}

const base = (tenant: string) => `${apiTargets().guardrail}/v1/knowledge/${encodeURIComponent(tenant)}`;
const FORMATS = ['json', 'yaml', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** The format named by --format, else by the file's extension. */
export function importFormat(file: string, named?: string): Format {
  const chosen = (named ?? extname(file).slice(1).replace(/^yml$/, 'yaml')).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(chosen))
    throw new UsageError(`cannot tell the format of ${file}: name it with --format json|yaml|csv`);
  return chosen as Format;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The diff as lines a person reads: `~ MD-BAG-001 price: {…} → {…}`, `+ MD-BAG-009`, `- MD-BAG-002`. */
export function diffText(d: DiffView): string {
  if (d.diff.empty) return `v${d.from} → v${d.to}: no changes`;
  const lines = [`v${d.from} → v${d.to}: ${d.diff.summary}`];
  for (const [section, keyed] of [
    ['product', d.diff.products],
    ['copy', d.diff.copy],
    ['claim', d.diff.approvedClaims],
  ] as const) {
    for (const id of keyed.added) lines.push(`+ ${section} ${id}`);
    for (const id of keyed.removed) lines.push(`- ${section} ${id}`);
    for (const c of keyed.changed)
      for (const f of c.changes)
        lines.push(`~ ${section} ${c.id} ${f.field}: ${show(f.before)} → ${show(f.after)}`);
  }
  for (const f of d.diff.policies) lines.push(`~ policy ${f.field}: ${show(f.before)} → ${show(f.after)}`);
  for (const f of d.diff.freshness)
    lines.push(`~ freshness ${f.field}: ${show(f.before)} → ${show(f.after)}`);
  for (const [kind, terms] of Object.entries(d.diff.voice))
    for (const t of terms) lines.push(`~ voice ${kind} ${t}`);
  return lines.join('\n');
}

/** Adds the `knowledge` command group to the `agentops` CLI. */
export function registerKnowledgeCommands(program: Command, globals: Globals): void {
  const group = commandGroup(program, 'knowledge', "a tenant's approved knowledge: import, versions, diff");
  const print = printer(globals);

  group
    .command('import')
    .description(
      'import a knowledge document (JSON, YAML) or product rows (CSV, over the current version) as the next version; nothing is applied if any row is invalid',
    )
    .argument('<tenantId>', 'the tenant')
    .argument('<file>', 'the file to import')
    .option('--format <format>', 'json | yaml | csv (default: from the extension)')
    .option('--force', 'apply even if it removes more than 20 % of the products')
    .action(async (tenant: string, file: string, o: { format?: string; force?: boolean }) => {
      const format = importFormat(file, o.format);
      const content = readFileSync(file, 'utf8');
      const out = await callApi<ImportView>('POST', `${base(tenant)}/imports`, globals().token, {
        format,
        content,
        force: o.force === true,
      });
      print(out, (r) =>
        r.changed
          ? `imported ${tenant} knowledge v${r.kbVersion} (${r.products} products): ${r.diff.summary}`
          : r.readTimesRefreshed
            ? `no fact changed: ${tenant} stays on knowledge v${r.kbVersion}, read times moved to this import's`
            : `no changes: ${tenant} stays on knowledge v${r.kbVersion}`,
      );
    });

  withPageOptions(
    group
      .command('versions')
      .description("a tenant's knowledge versions, newest first")
      .argument('<tenantId>', 'the tenant'),
    200,
  ).action(async (tenant: string, o: PageOptions) => {
    const out = await fetchPages<'versions', VersionView>(
      `${base(tenant)}/versions`,
      'versions',
      { limit: 20, ...o },
      globals().token,
    );
    print(
      out,
      (v) =>
        (v.versions.length
          ? v.versions
              .map(
                (x) =>
                  `v${x.kbVersion}  ${x.importedAt}  ${x.format.padEnd(4)}  ${String(x.products).padStart(6)} products  by ${x.importedBy}  — ${x.summary || 'initial'}`,
              )
              .join('\n')
          : `${tenant} has no knowledge versions`) + moreHint(v.next),
    );
  });

  group
    .command('diff')
    .description('what changed from one knowledge version to another')
    .argument('<tenantId>', 'the tenant')
    .argument('<from>', 'version', wholeNumber(1, 2 ** 31 - 1))
    .argument('<to>', 'version', wholeNumber(1, 2 ** 31 - 1))
    .action(async (tenant: string, from: number, to: number) => {
      const out = await callApi<DiffView>(
        'GET',
        `${base(tenant)}/versions/${from}/diff/${to}`,
        globals().token,
      );
      print(out, diffText);
    });
}
