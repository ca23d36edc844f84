/**
 * Writes the contract documents generated from libs/contracts:
 *   docs/asyncapi.yaml                   AsyncAPI 3.0 description of every topic and message
 *   docs/schemas/<event type>.json       JSON Schema of each event's data
 *   docs/schemas/cloudevent-attributes.json
 *
 *   node dist/tools/contracts/generate-contract-docs.js [--check]
 *
 * With --check nothing is written: it exits 1 if the files on disk differ from what would be
 * generated (CI runs it so the committed docs never drift from the code).
 */
import {
  EventDefinitions,
  buildAsyncApiDocument,
  envelopeJsonSchema,
  eventJsonSchemas,
} from '@agentops/contracts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';

export interface GeneratedFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  content: string;
}

export const ASYNCAPI_PATH = 'docs/asyncapi.yaml';
export const SCHEMAS_DIR = 'docs/schemas';
export const ENVELOPE_SCHEMA_FILE = 'cloudevent-attributes.json';

const YAML_HEADER =
  '# Generated from libs/contracts by tools/contracts/generate-contract-docs.ts; do not edit by hand.\n' +
  '# Regenerate: npm run build && npm run contracts:generate\n';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Everything the generator would write, in a stable order. Pure: no file system access. */
export function renderContractDocs(version: string): GeneratedFile[] {
  const asyncapi =
    YAML_HEADER + stringify(buildAsyncApiDocument(version), { aliasDuplicateObjects: false, lineWidth: 0 });
  const schemas = eventJsonSchemas();
  return [
    { path: ASYNCAPI_PATH, content: asyncapi },
    { path: `${SCHEMAS_DIR}/${ENVELOPE_SCHEMA_FILE}`, content: json(envelopeJsonSchema()) },
    ...Object.keys(EventDefinitions).map((type) => ({
      path: `${SCHEMAS_DIR}/${type}.json`,
      content: json(schemas[type]),
    })),
  ];
}

/** The repository root: the nearest directory above `start` whose package.json is this project's. */
export function findRepoRoot(start: string = __dirname): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (
      fs.existsSync(pkg) &&
      (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'agentops'
    )
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no agentops package.json above ${start}`);
  }
}

export function readVersion(rootDir: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  if (typeof pkg.version !== 'string' || !pkg.version)
    throw new Error(`${path.join(rootDir, 'package.json')} has no version`);
  return pkg.version;
}

export interface ContractDocsOptions {
  rootDir: string;
  /** Compare only; write nothing. */
  check?: boolean;
  /** Defaults to the version in `<rootDir>/package.json`. */
  version?: string;
}

export interface ContractDocsResult {
  /** Generated files whose content on disk was missing or different (written unless check). */
  changed: string[];
  /** Files in docs/schemas that the generator does not produce (deleted unless check). */
  stale: string[];
  unchanged: string[];
}

export function generateContractDocs(options: ContractDocsOptions): ContractDocsResult {
  const { rootDir, check = false } = options;
  const files = renderContractDocs(options.version ?? readVersion(rootDir));
  const result: ContractDocsResult = { changed: [], stale: [], unchanged: [] };

  for (const file of files) {
    const abs = path.join(rootDir, file.path);
    const current = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
    if (current === file.content) {
      result.unchanged.push(file.path);
      continue;
    }
    result.changed.push(file.path);
    if (!check) {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, file.content);
    }
  }

  const generated = new Set(files.map((f) => f.path));
  const schemasDir = path.join(rootDir, SCHEMAS_DIR);
  if (fs.existsSync(schemasDir)) {
    for (const name of fs.readdirSync(schemasDir).sort()) {
      const rel = `${SCHEMAS_DIR}/${name}`;
      if (!name.endsWith('.json') || generated.has(rel)) continue;
      result.stale.push(rel);
      if (!check) fs.rmSync(path.join(schemasDir, name));
    }
  }
  return result;
}

export function main(argv: string[] = process.argv.slice(2)): number {
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length) {
    process.stderr.write(
      `generate-contract-docs: unknown argument(s) ${unknown.join(' ')}; usage: generate-contract-docs [--check]\n`,
    );
    return 2;
  }
  const check = argv.includes('--check');
  try {
    const rootDir = findRepoRoot();
    const { changed, stale, unchanged } = generateContractDocs({ rootDir, check });
    if (check) {
      if (changed.length === 0 && stale.length === 0) {
        process.stdout.write(
          `generate-contract-docs: ${unchanged.length} contract documents are up to date\n`,
        );
        return 0;
      }
      process.stderr.write(
        'generate-contract-docs: contract documents are out of date with libs/contracts:\n' +
          changed.map((p) => `  ~ ${p}\n`).join('') +
          stale.map((p) => `  - ${p} (no longer generated)\n`).join('') +
          'Run `npm run build && npm run contracts:generate` and commit the result.\n',
      );
      return 1;
    }
    process.stdout.write(
      `generate-contract-docs: ${changed.length} written, ${stale.length} removed, ${unchanged.length} unchanged\n` +
        changed.map((p) => `  + ${p}\n`).join('') +
        stale.map((p) => `  - ${p}\n`).join(''),
    );
    return 0;
  } catch (error) {
    process.stderr.write(
      `generate-contract-docs: failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
