import { EventDefinitions, buildAsyncApiDocument, eventJsonSchemas } from '@agentops/contracts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  findRepoRoot,
  generateContractDocs,
  readVersion,
  renderContractDocs,
} from './generate-contract-docs';

describe('renderContractDocs', () => {
  const files = renderContractDocs('1.2.3');
  const byPath = new Map(files.map((f) => [f.path, f.content]));

  it('renders the AsyncAPI document, the envelope schema and one schema per event type', () => {
    expect([...byPath.keys()].sort()).toEqual(
      [
        'docs/asyncapi.yaml',
        'docs/schemas/cloudevent-attributes.json',
        ...Object.keys(EventDefinitions).map((t) => `docs/schemas/${t}.json`),
      ].sort(),
    );
  });

  it('writes YAML that parses back to the AsyncAPI document, without aliases', () => {
    const yaml = byPath.get('docs/asyncapi.yaml')!;
    expect(yaml.startsWith('# Generated')).toBe(true);
    expect(yaml).not.toMatch(/[&*]a\d+\b/);
    expect(parse(yaml)).toEqual(buildAsyncApiDocument('1.2.3'));
  });

  it('writes each event schema as pretty JSON', () => {
    const schemas = eventJsonSchemas();
    for (const type of Object.keys(EventDefinitions)) {
      const content = byPath.get(`docs/schemas/${type}.json`)!;
      expect(JSON.parse(content)).toEqual(schemas[type]);
      expect(content.endsWith('}\n')).toBe(true);
    }
  });

  it('is deterministic', () => {
    expect(renderContractDocs('1.2.3')).toEqual(files);
  });
});

describe('generateContractDocs', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentops-docs-'));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'agentops', version: '0.0.7' }));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('--check fails on an empty tree and write mode creates every file', () => {
    const expected = renderContractDocs('0.0.7').map((f) => f.path);
    const check = generateContractDocs({ rootDir: root, check: true });
    expect(check.changed.sort()).toEqual([...expected].sort());
    expect(fs.existsSync(path.join(root, 'docs'))).toBe(false);

    const write = generateContractDocs({ rootDir: root });
    expect(write.changed.sort()).toEqual([...expected].sort());
    expect(parse(fs.readFileSync(path.join(root, 'docs/asyncapi.yaml'), 'utf8')).info.version).toBe('0.0.7');

    expect(generateContractDocs({ rootDir: root, check: true })).toEqual({
      changed: [],
      stale: [],
      unchanged: expected,
    });
  });

  it('--check reports an edited file and a stale schema without touching them', () => {
    generateContractDocs({ rootDir: root });
    const edited = path.join(root, 'docs/schemas/agentops.intent.proposed.v1.json');
    fs.writeFileSync(edited, '{}\n');
    const stale = path.join(root, 'docs/schemas/agentops.removed.thing.v1.json');
    fs.writeFileSync(stale, '{}\n');

    const check = generateContractDocs({ rootDir: root, check: true });
    expect(check.changed).toEqual(['docs/schemas/agentops.intent.proposed.v1.json']);
    expect(check.stale).toEqual(['docs/schemas/agentops.removed.thing.v1.json']);
    expect(fs.readFileSync(edited, 'utf8')).toBe('{}\n');
    expect(fs.existsSync(stale)).toBe(true);

    const write = generateContractDocs({ rootDir: root });
    expect(write.changed).toEqual(['docs/schemas/agentops.intent.proposed.v1.json']);
    expect(fs.existsSync(stale)).toBe(false);
    expect(generateContractDocs({ rootDir: root, check: true }).changed).toEqual([]);
  });

  it('--check notices a version bump in package.json', () => {
    generateContractDocs({ rootDir: root });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'agentops', version: '0.0.8' }));
    expect(generateContractDocs({ rootDir: root, check: true }).changed).toEqual(['docs/asyncapi.yaml']);
  });

  it('finds the repository root and its version', () => {
    const nested = path.join(root, 'dist/tools/contracts');
    fs.mkdirSync(nested, { recursive: true });
    expect(findRepoRoot(nested)).toBe(root);
    expect(readVersion(root)).toBe('0.0.7');
    expect(findRepoRoot(__dirname)).toBe(path.resolve(__dirname, '../..'));
  });
});
