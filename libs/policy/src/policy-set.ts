import { createHash } from 'node:crypto';
import type { Environment } from '@marcbachmann/cel-js';
import { LineCounter, parseAllDocuments, isMap, isScalar, Node, Document } from 'yaml';
import { z } from 'zod';
import { createPolicyEnvironment } from './cel-environment';
import { AgentMatch, ObligationSpec, PolicyDocument } from './document';

type Program = ReturnType<Environment['parse']>;

export interface PolicySource {
  /** Path relative to the policy folder, for error messages and provenance. */
  path: string;
  content: string;
}

/** Where a problem is: file, 1-based line and column. */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface CompiledValidation {
  expression: string;
  program: Program;
  message?: string;
  messageProgram?: Program;
  effect: 'deny' | 'escalate' | 'modify' | 'warn';
  obligations: CompiledObligation[];
}

export type CompiledObligation =
  | { type: 'cap'; field: string; max: Program }
  | { type: 'redact'; field: string; detector: 'pii' | 'brand-voice'; keep?: Program };

export interface CompiledPolicy {
  id: string;
  version: string;
  mode: 'enforce' | 'shadow';
  file: string;
  /** Where `metadata.name` is in the file, for problems found after compiling (policy-layers.ts). */
  at: { line: number; column: number };
  /** Action globs, matched with the platform's one glob (`@agentops/cohort-selector`). */
  actions: string[];
  agents?: z.infer<typeof AgentMatch>;
  variables: { name: string; program: Program }[];
  validations: CompiledValidation[];
  /** The YAML document as written, republished to every guardrail instance. */
  source: string;
}

export interface CompiledPolicySet {
  version: string;
  policies: CompiledPolicy[];
}

export type PolicySetResult = { ok: true; set: CompiledPolicySet } | { ok: false; problems: PolicyProblem[] };

/**
 * Parses, validates and type-checks a whole policy folder. Any problem rejects the set whole
 * (with every problem's location), so a half-valid set can never become active.
 */
export function compilePolicySet(
  sources: PolicySource[],
  env: Environment = createPolicyEnvironment(),
): PolicySetResult {
  const problems: PolicyProblem[] = [];
  const policies: CompiledPolicy[] = [];
  const seen = new Map<string, string>();
  for (const src of [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(src.content, { lineCounter, prettyErrors: false });
    const at = (offset: number | undefined): { line: number; column: number } => {
      const pos = lineCounter.linePos(offset ?? 0);
      return { line: pos.line, column: pos.col };
    };
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length) {
        for (const e of doc.errors)
          problems.push({ file: src.path, ...at(e.pos[0]), message: e.message.split('\n')[0] });
        continue;
      }
      if (doc.contents === null) continue;
      const parsed = PolicyDocument.safeParse(doc.toJS());
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const node = nodeAt(doc, issue.path as (string | number)[]);
          problems.push({
            file: src.path,
            ...at(node?.range?.[0]),
            message: `${issue.path.join('.') || '(document)'}: ${issue.message}`,
          });
        }
        continue;
      }
      const policy = parsed.data;
      const id = policy.metadata.name;
      if (seen.has(id)) {
        problems.push({
          file: src.path,
          ...at(nodeAt(doc, ['metadata', 'name'])?.range?.[0]),
          message: `policy ${id} is also defined in ${seen.get(id)}`,
        });
        continue;
      }
      seen.set(id, src.path);
      const docSource = String(doc);
      const compile = (
        expression: string,
        path: (string | number)[],
        expectType?: string,
      ): Program | undefined => {
        const node = nodeAt(doc, path);
        const where = at(node?.range?.[0]);
        try {
          const check = env.check(expression);
          if (!check.valid) throw check.error;
          if (expectType && check.type !== expectType && check.type !== 'dyn') {
            throw new Error(`must evaluate to ${expectType}, not ${check.type}`);
          }
          return env.parse(expression);
        } catch (error) {
          const e = error as Error & { node?: { pos?: number } };
          const column =
            where.column + (typeof e.node?.pos === 'number' ? e.node.pos : 0) + (isQuoted(node) ? 1 : 0);
          problems.push({
            file: src.path,
            line: where.line,
            column,
            message: `${path.join('.')}: ${e.message.split('\n')[0]}`,
          });
          return undefined;
        }
      };
      const variables = (policy.spec.variables ?? []).map((v, i) => ({
        name: v.name,
        program: compile(v.expression, ['spec', 'variables', i, 'expression']),
      }));
      const validations = policy.spec.validations.map((v, i) => {
        const base = ['spec', 'validations', i];
        return {
          expression: v.expression,
          program: compile(v.expression, [...base, 'expression'], 'bool'),
          message: v.message,
          messageProgram: v.messageExpression
            ? compile(v.messageExpression, [...base, 'messageExpression'], 'string')
            : undefined,
          effect: v.effect,
          obligations: (v.obligations ?? []).map((o: ObligationSpec, j) =>
            o.type === 'cap'
              ? {
                  type: 'cap' as const,
                  field: o.field,
                  max: compile(o.max, [...base, 'obligations', j, 'max']),
                }
              : {
                  type: 'redact' as const,
                  field: o.field,
                  detector: o.detector,
                  keep: o.keep ? compile(o.keep, [...base, 'obligations', j, 'keep']) : undefined,
                },
          ),
        };
      });
      policies.push({
        id,
        version: policy.metadata.version ?? shortHash(docSource),
        mode: policy.spec.mode,
        file: src.path,
        at: at(nodeAt(doc, ['metadata', 'name'])?.range?.[0]),
        actions: policy.spec.match.actions,
        agents: policy.spec.match.agents,
        variables: variables as CompiledPolicy['variables'],
        validations: validations as CompiledValidation[],
        source: docSource,
      });
    }
  }
  if (problems.length) return { ok: false, problems };
  const version = shortHash(policies.map((p) => `${p.id}@${p.version}:${p.mode}`).join('\n'));
  return { ok: true, set: { version, policies } };
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    if (isMap(node) || (node && typeof node === 'object' && 'get' in node)) {
      const next = (node as { get(k: unknown, keepScalar: boolean): unknown }).get(key, true);
      if (next === undefined) break;
      node = next;
    } else break;
  }
  return node as Node | undefined;
}

function isQuoted(node: Node | undefined): boolean {
  return !!node && isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
}
