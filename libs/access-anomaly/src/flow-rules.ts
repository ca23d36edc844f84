import type { DataAccessReport } from '@agentops/contracts';
import { dataClassWithin } from '@agentops/policy';
import { Environment } from '@marcbachmann/cel-js';

/**
 * Flow rules: deterministic checks over an agent's recent history, evaluated on a pending egress
 * *before* it runs (Invariant Guardrails' "read inbox → send external email", in our words).
 *
 * Written in CEL, with the same engine as the policies (`@marcbachmann/cel-js`), in an environment
 * of their own: `egress` (the pending step), `history` (the agent's steps inside the rule's
 * window, newest first), `agent` and `tenant`. The environment is typed, so a typo such as
 * `e.knd` fails when the rule is compiled, not when an egress is judged. CEL fits: a rule is a
 * predicate over a bounded list (`exists`, `filter`, `all` are linear), it terminates, tenants can
 * write their own without code, and the policy authors already read it.
 */

export interface AccessStep {
  kind: 'read' | 'egress' | 'intent';
  /** Epoch ms. */
  at: number;
  source: string;
  dataClasses: string[];
  records: number;
  /** Egress only. */
  destination: string;
  /** Intent only. */
  action: string;
}

/**
 * The step a reported read or egress is in the history, at the report's time (the telemetry
 * event's). One function for the access service's monitor and ingest's reported-step log, so the
 * two copies of a step are equal and the flow gate can merge them (`mergeFlowSteps`).
 */
export function accessStepOf(report: DataAccessReport, at: number): AccessStep {
  return {
    kind: report.kind,
    at,
    source: report.source,
    dataClasses: [...report.dataClasses],
    records: report.records,
    destination: report.destination ?? '',
    action: '',
  };
}

export interface PendingEgress {
  destination: string;
  dataClasses: string[];
  records: number;
  /** The intent about to egress (e.g. `service.send_message`), when known. */
  action?: string;
}

export interface FlowRuleSpec {
  id: string;
  /** Steps older than this (before the pending egress) are not shown to the rule. */
  windowMs: number;
  /** A CEL predicate; true means deny the egress. */
  when: string;
  message: string;
}

export interface CompiledFlowRule extends FlowRuleSpec {
  program: (bindings: Record<string, unknown>) => unknown;
}

export interface FlowContext {
  agent: { id: string; tenantId: string; role: string; version: string };
  /** Destinations the tenant allows egress to (exact, or `*.suffix` for a domain and its subdomains). */
  allowedDestinations: readonly string[];
}

export interface FlowVerdict {
  verdict: 'allow' | 'deny';
  /** The first rule that denied, with its message. */
  rule?: { id: string; message: string; window: { startMs: number; endMs: number }; evidence: number };
}

export function createFlowEnvironment(): Environment {
  return new Environment({ homogeneousAggregateLiterals: false })
    .registerType('AccessStep', {
      fields: {
        kind: 'string',
        source: 'string',
        dataClasses: 'list<string>',
        records: 'double',
        destination: 'string',
        action: 'string',
        agoMs: 'double',
      },
    })
    .registerVariable('history', 'list<AccessStep>')
    .registerVariable({
      name: 'egress',
      schema: {
        destination: 'string',
        dataClasses: 'list<string>',
        records: 'double',
        action: 'string',
        listed: 'bool',
      },
    })
    .registerVariable({
      name: 'agent',
      schema: { id: 'string', tenantId: 'string', role: 'string', version: 'string' },
    })
    .registerVariable({ name: 'tenant', schema: { allowedDestinations: 'list<string>' } })
    .registerFunction('classIn(string, string): bool', (cls: string, parent: string) =>
      dataClassWithin(cls, parent),
    );
}

export class FlowRuleError extends Error {
  constructor(
    readonly ruleId: string,
    message: string,
  ) {
    super(`flow rule ${ruleId}: ${message}`);
  }
}

/** Compiles every rule or throws naming the first that does not type-check as a bool. */
export function compileFlowRules(
  specs: readonly FlowRuleSpec[],
  env: Environment = createFlowEnvironment(),
): CompiledFlowRule[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    if (seen.has(spec.id)) throw new FlowRuleError(spec.id, 'defined twice');
    seen.add(spec.id);
    if (!(spec.windowMs > 0 && spec.windowMs <= 24 * 3_600_000))
      throw new FlowRuleError(spec.id, 'windowMs must be in (0, 24 h]');
    const check = env.check(spec.when);
    if (!check.valid)
      throw new FlowRuleError(spec.id, String(check.error?.message ?? check.error).split('\n')[0]);
    if (check.type !== 'bool') throw new FlowRuleError(spec.id, `must evaluate to bool, not ${check.type}`);
    return { ...spec, program: env.parse(spec.when) as CompiledFlowRule['program'] };
  });
}

export function destinationListed(destination: string, allowed: readonly string[]): boolean {
  const d = destination.toLowerCase();
  return allowed.some((a) => {
    const x = a.toLowerCase();
    return x.startsWith('*.') ? d === x.slice(2) || d.endsWith(x.slice(1)) : d === x;
  });
}

/** The default rules (issue #17): customer PII read, then egress to an unlisted destination. */
export const DEFAULT_FLOW_RULES: readonly FlowRuleSpec[] = [
  {
    id: 'pii-read-then-unlisted-egress',
    windowMs: 30 * 60_000,
    when: "!egress.listed && history.exists(e, e.kind == 'read' && e.dataClasses.exists(c, classIn(c, 'customer.pii')))",
    message: 'customer.pii was read in the last 30 minutes and the destination is not on the tenant list',
  },
  {
    id: 'bulk-customer-read-then-unlisted-egress',
    windowMs: 30 * 60_000,
    when: "!egress.listed && history.filter(e, e.kind == 'read' && e.dataClasses.exists(c, classIn(c, 'customer'))).size() >= 20",
    message: '20 or more customer reads in the last 30 minutes and the destination is not on the tenant list',
  },
  {
    id: 'unlisted-egress-of-customer-data',
    windowMs: 60_000,
    when: "!egress.listed && egress.dataClasses.exists(c, classIn(c, 'customer'))",
    message: 'the egress itself carries customer data to a destination not on the tenant list',
  },
];

/**
 * Judges a pending egress against the rules. `history` is the agent's steps, oldest first (as the
 * monitor keeps them); each rule sees only those within its window, newest first.
 */
export function judgeEgress(
  rules: readonly CompiledFlowRule[],
  history: readonly AccessStep[],
  egress: PendingEgress,
  context: FlowContext,
  now: number,
): FlowVerdict {
  const listed = destinationListed(egress.destination, context.allowedDestinations);
  const bound = {
    egress: {
      destination: egress.destination,
      dataClasses: egress.dataClasses,
      records: egress.records,
      action: egress.action ?? '',
      listed,
    },
    agent: context.agent,
    tenant: { allowedDestinations: [...context.allowedDestinations] },
  };
  for (const rule of rules) {
    const steps: Record<string, unknown>[] = [];
    for (let i = history.length - 1; i >= 0; i--) {
      const s = history[i];
      if (now - s.at > rule.windowMs) break;
      if (s.at > now) continue;
      steps.push({
        kind: s.kind,
        source: s.source,
        dataClasses: s.dataClasses,
        records: s.records,
        destination: s.destination,
        action: s.action,
        agoMs: now - s.at,
      });
    }
    if (rule.program({ ...bound, history: steps }) === true)
      return {
        verdict: 'deny',
        rule: {
          id: rule.id,
          message: rule.message,
          window: { startMs: now - rule.windowMs, endMs: now },
          evidence: steps.length,
        },
      };
  }
  return { verdict: 'allow' };
}
