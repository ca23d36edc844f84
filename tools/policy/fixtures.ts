/**
 * Loads a policy folder and its fixtures (see policies/retail/README.md for the format) into what
 * the policy library and the guardrail service consume: `PolicySource[]` and one
 * `EvaluationContext` per case. Shared by `policy-test`, the pack's unit test, the benchmark and
 * anything that pushes the same cases through the running service.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AgentIdentity, AgentRole, DecisionReason, Verdict } from '@agentops/contracts';
import {
  CompiledKnowledge,
  compileKnowledge,
  formatProblem,
  parseKnowledgeImport,
} from '@agentops/knowledge';
import {
  CatalogFacts,
  EvaluationContext,
  PolicySource,
  RetailFacts,
  UNKNOWN_ITEM,
  checkContextOf,
  knowledgeFacts,
} from '@agentops/policy';
import { parse } from 'yaml';
import { z } from 'zod';

const YAML_FILE = /\.ya?ml$/;
export const FIXTURES_DIR = 'fixtures';

/** Every `*.yaml` / `*.yml` under `dir` except the fixtures folder, paths relative to `dir`. */
export function loadPolicySources(dir: string): PolicySource[] {
  const out: PolicySource[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) {
        if (at === dir && name === FIXTURES_DIR) continue;
        walk(full);
      } else if (YAML_FILE.test(name)) {
        out.push({ path: relative(dir, full), content: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

const CatalogItem = z
  .object({
    sku: z.string().min(1),
    price: z.number(),
    floorPrice: z.number(),
    cost: z.number().default(0),
    flagship: z.boolean().default(false),
    brand: z.string().default(''),
    category: z.string().default(''),
    stock: z.number().default(0),
    velocity30d: z.number().default(0),
    slowMover: z.boolean().default(false),
  })
  .strict();
const CatalogFile = z.object({ items: z.array(CatalogItem) }).strict();
const RetailFile = z
  .object({
    competitors: z.array(z.string()).default([]),
    ownBrands: z.array(z.string()).default([]),
    approvedFacts: z.array(z.string()).default([]),
  })
  .strict();

const Verdicts = z.enum(['allow', 'deny', 'escalate', 'modify']);
export const FixtureCase = z
  .object({
    name: z.string().min(1),
    agent: z
      .object({
        id: z.string().optional(),
        tenantId: z.string().optional(),
        role: z.enum(['pricing', 'replenishment', 'service', 'shopping', 'other']).optional(),
        version: z.string().optional(),
        region: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .optional(),
    intent: z
      .object({
        action: z.string().min(1),
        target: z
          .object({ type: z.string().min(1), id: z.string().min(1) })
          .strict()
          .optional(),
        params: z.record(z.string(), z.unknown()).default({}),
        confidence: z.number().min(0).max(1).default(0.9),
        justification: z.string().default('fixture: routine action within the agent mandate'),
        /** What the agent says it read; `kbVersion` cites a knowledge version. */
        dataUsed: z
          .array(
            z
              .object({
                source: z.string().min(1),
                kbVersion: z.number().int().positive().optional(),
                dataClasses: z.array(z.string()).default([]),
              })
              .strict(),
          )
          .default([]),
      })
      .strict(),
    counters: z.record(z.string(), z.number()).default({}),
    expect: z
      .object({
        verdict: Verdicts,
        violated: z.array(z.string()).optional(),
        notViolated: z.array(z.string()).optional(),
        shadow: z.array(z.string()).optional(),
        modifiedParams: z.record(z.string(), z.unknown()).optional(),
        reasonContains: z.array(z.string()).optional(),
      })
      .strict(),
  })
  .strict();
export type FixtureCase = z.infer<typeof FixtureCase> & { file: string };
const CaseFile = z.object({ cases: z.array(FixtureCase).min(1) }).strict();

export interface FixtureSuite {
  catalog: Map<string, CatalogFacts>;
  retail: RetailFacts;
  /** `fixtures/knowledge.yaml`, the tenant's knowledge base at `FIXTURE_KB_VERSION`, if the pack has one. */
  knowledge?: FixtureKnowledge;
  cases: FixtureCase[];
}

export interface FixtureKnowledge {
  compiled: CompiledKnowledge;
  /** The file as written, for importing the same knowledge into a running guardrail. */
  source: string;
  /** Cases are judged at the document's `asOf`: its facts are fresh unless a fact says otherwise. */
  now: number;
}

/** The version fixture knowledge is compiled as, so a case can cite an older one. */
export const FIXTURE_KB_VERSION = 3;

function loadKnowledge(file: string, label: string): FixtureKnowledge | undefined {
  if (!existsSync(file)) return undefined;
  const source = readFileSync(file, 'utf8');
  const parsed = parseKnowledgeImport(source, 'yaml');
  if (!parsed.ok) throw new FixtureError(`${label}: ${parsed.problems.map(formatProblem).join('; ')}`);
  return {
    compiled: compileKnowledge({
      tenantId: 'maison-demo',
      kbVersion: FIXTURE_KB_VERSION,
      document: parsed.document,
    }),
    source,
    now: Date.parse(parsed.document.asOf),
  };
}

export class FixtureError extends Error {}

function readYaml<T>(file: string, schema: z.ZodType<T>, label: string): T {
  if (!existsSync(file)) throw new FixtureError(`${label}: missing`);
  const parsed = schema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new FixtureError(`${label}: ${issues}`);
  }
  return parsed.data;
}

/**
 * Reads `<dir>/fixtures`: `catalog.yaml`, `retail.yaml` and every other YAML file as a case file.
 * Case names must be unique across the suite. A tenant pack tested over a baseline
 * (`contextFallbackDir`) may leave out catalog and retail facts: the baseline's fixtures then serve.
 */
export function loadFixtures(dir: string, contextFallbackDir?: string): FixtureSuite {
  const fdir = join(dir, FIXTURES_DIR);
  const contextFile = (name: string) => {
    const own = join(fdir, name);
    if (existsSync(own) || !contextFallbackDir) return { file: own, label: `${FIXTURES_DIR}/${name}` };
    const fallback = join(contextFallbackDir, FIXTURES_DIR, name);
    return { file: fallback, label: relative(dir, fallback) };
  };
  const catalogAt = contextFile('catalog.yaml');
  const catalogItems = readYaml(catalogAt.file, CatalogFile, catalogAt.label).items;
  const catalog = new Map<string, CatalogFacts>(catalogItems.map((i) => [i.sku, { ...i, found: true }]));
  const retailAt = contextFile('retail.yaml');
  const retail = readYaml(retailAt.file, RetailFile, retailAt.label);
  const knowledgeAt = contextFile('knowledge.yaml');
  const knowledge = loadKnowledge(knowledgeAt.file, knowledgeAt.label);
  const cases: FixtureCase[] = [];
  const names = new Set<string>();
  for (const name of readdirSync(fdir).sort()) {
    if (!YAML_FILE.test(name) || CONTEXT_FILES.includes(name)) continue;
    const file = `${FIXTURES_DIR}/${name}`;
    for (const c of readYaml(join(fdir, name), CaseFile, file).cases) {
      if (names.has(c.name)) throw new FixtureError(`${file}: duplicate case name "${c.name}"`);
      names.add(c.name);
      cases.push({ ...c, file });
    }
  }
  return { catalog, retail, ...(knowledge ? { knowledge } : {}), cases };
}

const CONTEXT_FILES = ['catalog.yaml', 'retail.yaml', 'knowledge.yaml'];

/** The role an action belongs to, used when a case does not name one. */
export function defaultRole(action: string): AgentRole {
  const domain = action.split('.')[0];
  return (
    ({ pricing: 'pricing', inventory: 'replenishment', service: 'service', shopping: 'shopping' } as const)[
      domain as 'pricing'
    ] ?? 'other'
  );
}

/**
 * The intent's SKU as the guardrail resolves it: `params.sku`, else `target.id` when
 * `target.type == 'sku'` (an exchange names its toSku as target).
 */
export function itemSku(intent: {
  target: { type: string; id: string };
  params: Record<string, unknown>;
}): string | undefined {
  if (typeof intent.params.sku === 'string') return intent.params.sku;
  return intent.target.type === 'sku' ? intent.target.id : undefined;
}

export function resolveItem(catalog: Map<string, CatalogFacts>, sku: string | undefined): CatalogFacts {
  return (sku !== undefined && catalog.get(sku)) || UNKNOWN_ITEM;
}

/** The agent and intent of a case with defaults filled in (what an SDK would send). */
export function caseIntent(c: FixtureCase): { agent: AgentIdentity; intent: EvaluationContext['intent'] } {
  const params = c.intent.params;
  const target =
    c.intent.target ??
    (typeof params.sku === 'string'
      ? { type: 'sku', id: params.sku }
      : typeof params.orderId === 'string'
        ? { type: 'order', id: params.orderId }
        : typeof params.customerId === 'string'
          ? { type: 'customer', id: params.customerId }
          : { type: 'none', id: 'none' });
  const agent: AgentIdentity = {
    id: c.agent?.id ?? `${c.agent?.role ?? defaultRole(c.intent.action)}-bot-1`,
    tenantId: c.agent?.tenantId ?? 'maison-demo',
    role: c.agent?.role ?? defaultRole(c.intent.action),
    version: c.agent?.version ?? '1.0.0',
    region: c.agent?.region ?? 'eu-west',
    labels: c.agent?.labels ?? {},
  };
  return {
    agent,
    intent: {
      action: c.intent.action,
      target,
      params,
      confidence: c.intent.confidence,
      justification: c.intent.justification,
    },
  };
}

export function buildContext(
  suite: Pick<FixtureSuite, 'catalog' | 'retail' | 'knowledge'>,
  c: FixtureCase,
): EvaluationContext {
  const { agent, intent } = caseIntent(c);
  const sku = itemSku(intent);
  const grounding = suite.knowledge && {
    kb: suite.knowledge.compiled,
    check: checkContextOf(intent.params, sku, suite.knowledge.now),
    ...(typeof intent.params.channel === 'string' ? { channel: intent.params.channel } : {}),
  };
  return {
    intent,
    agent,
    item: resolveItem(suite.catalog, sku),
    counters: { ...c.counters },
    retail: suite.retail,
    knowledge: knowledgeFacts(grounding, c.intent),
    ...(grounding ? { grounding } : {}),
  };
}

/** What a case checks, from a library evaluation or a decision the running service published. */
export interface DecisionLike {
  verdict: Verdict;
  reasons: Pick<DecisionReason, 'policyId' | 'effect' | 'message' | 'mode'>[];
  modifiedParams?: Record<string, unknown>;
}

/** Every way `actual` misses the case's expectations, as human-readable lines (empty = pass). */
export function checkCase(c: FixtureCase, actual: DecisionLike): string[] {
  const e = c.expect;
  const diffs: string[] = [];
  const hits = (mode: 'enforce' | 'shadow' | 'any') =>
    new Set(
      actual.reasons
        .filter((r) => r.effect !== 'allow' && (mode === 'any' || (r.mode ?? 'enforce') === mode))
        .map((r) => r.policyId),
    );
  if (actual.verdict !== e.verdict) diffs.push(`verdict: expected ${e.verdict}, got ${actual.verdict}`);
  const enforced = hits('enforce');
  for (const id of e.violated ?? [])
    if (!enforced.has(id)) diffs.push(`violated: expected ${id} to be violated (enforced), it was not`);
  const any = hits('any');
  for (const id of e.notViolated ?? [])
    if (any.has(id)) diffs.push(`notViolated: expected ${id} to pass, it was violated`);
  const shadow = hits('shadow');
  for (const id of e.shadow ?? [])
    if (!shadow.has(id)) diffs.push(`shadow: expected a shadow violation of ${id}, there was none`);
  if (e.modifiedParams) {
    if (!actual.modifiedParams)
      diffs.push(`modifiedParams: expected ${JSON.stringify(e.modifiedParams)}, got none`);
    else
      for (const [k, v] of Object.entries(e.modifiedParams))
        if (!isDeepStrictEqual(actual.modifiedParams[k], v))
          diffs.push(
            `modifiedParams.${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(actual.modifiedParams[k])}`,
          );
  }
  for (const text of e.reasonContains ?? [])
    if (!actual.reasons.some((r) => r.message.includes(text)))
      diffs.push(`reasonContains: no reason message contains ${JSON.stringify(text)}`);
  if (diffs.length) {
    const got = actual.reasons
      .filter((r) => r.effect !== 'allow')
      .map((r) => `  ${r.policyId} [${r.mode ?? 'enforce'} ${r.effect}] ${r.message}`);
    diffs.push(got.length ? `reasons:\n${got.join('\n')}` : 'reasons: (no violations)');
  }
  return diffs;
}
