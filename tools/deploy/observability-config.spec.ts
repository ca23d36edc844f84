import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '../..');
const deploy = join(root, 'deploy/observability');

/** Every `.ts` source (not a spec) under the dirs: where the services define their metrics. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(path) ? [path] : [];
  });
}

interface Defined {
  kind: string;
  labels: Set<string>;
  file: string;
}

/** The metrics the code registers, read from its prom-client definitions (`new Counter({ name, … })`). */
function definedMetrics(): Map<string, Defined> {
  const found = new Map<string, Defined>();
  const definition =
    /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'([\s\S]*?)registers/g;
  for (const file of [...sources(join(root, 'libs')), ...sources(join(root, 'services'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(definition)) {
      const labels = /labelNames:\s*\[([^\]]*)\]/.exec(m[3]!)?.[1] ?? '';
      found.set(m[2]!, {
        kind: m[1]!,
        labels: new Set([...labels.matchAll(/'([^']+)'/g)].map((l) => l[1]!)),
        file: relative(root, file),
      });
    }
  }
  return found;
}

/** `agentops_*` series a PromQL expression reads, with the label names its selectors match on. */
function referenced(expr: string): { series: string; labels: string[] }[] {
  return [...expr.matchAll(/\b(agentops_[a-zA-Z0-9_:]*)(\{([^}]*)\})?/g)].map((m) => ({
    series: m[1]!,
    labels: [...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)/g)].map((l) => l[1]!),
  }));
}

/** The metric a series belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own. */
function metricOf(series: string, defined: Map<string, Defined>): Defined | undefined {
  if (defined.has(series)) return defined.get(series);
  const base = series.replace(/_(bucket|sum|count)$/, '');
  const d = defined.get(base);
  return d && (d.kind === 'Histogram' || d.kind === 'Summary') ? d : undefined;
}

function problemsOf(exprs: { where: string; expr: string }[], defined: Map<string, Defined>): string[] {
  const problems: string[] = [];
  for (const { where, expr } of exprs)
    for (const { series, labels } of referenced(expr)) {
      const metric = metricOf(series, defined);
      if (!metric) {
        problems.push(`${where}: ${series} is not a metric the code registers`);
        continue;
      }
      for (const label of labels)
        if (!metric.labels.has(label) && label !== 'service' && label !== 'le')
          problems.push(`${where}: ${series} has no label ${label} (${metric.file})`);
    }
  return problems;
}

const defined = definedMetrics();

describe('deploy/observability: alert rules and dashboards read only metrics the code exports', () => {
  it('finds the metric definitions in the code (the check itself has something to check against)', () => {
    for (const name of [
      'agentops_decision_latency_seconds',
      'agentops_fail_closed_total',
      'agentops_ingest_throttled_total',
      'agentops_policy_evaluation_seconds',
    ])
      expect(defined.has(name)).toBe(true);
  });

  const rules = parse(readFileSync(join(deploy, 'prometheus/alerts.yml'), 'utf8')) as {
    groups: {
      name: string;
      rules: {
        alert: string;
        expr: string;
        labels?: { severity?: string };
        annotations?: { summary?: string };
      }[];
    }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules);

  it('ships the alerts the issue asks for, each with a severity and a summary', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'AgentOpsHighFailClosedRate',
        'AgentOpsConsumerLag',
        'AgentOpsAuditVerificationFailed',
        'AgentOpsBreakerOpen',
        'AgentOpsDlqGrowth',
        'AgentOpsConsumerHeldByOutage',
      ]),
    );
    for (const a of alerts) {
      expect(a.labels?.severity).toEqual(expect.any(String));
      expect(a.annotations?.summary).toEqual(expect.any(String));
    }
  });

  it('every alert expression reads registered metrics with labels they have', () => {
    expect(
      problemsOf(
        alerts.map((a) => ({ where: a.alert, expr: a.expr })),
        defined,
      ),
    ).toEqual([]);
    for (const a of alerts) expect(referenced(a.expr).length).toBeGreaterThan(0);
  });

  const dashboards = readdirSync(join(deploy, 'grafana/dashboards')).filter((f) => f.endsWith('.json'));

  it('every dashboard parses, has unique panel ids, and every panel query reads registered metrics', () => {
    expect(dashboards.length).toBeGreaterThan(0);
    for (const file of dashboards) {
      const dash = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards', file), 'utf8')) as {
        uid: string;
        panels: { id: number; title: string; targets: { expr: string }[] }[];
      };
      expect(dash.uid).toEqual(expect.any(String));
      expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
      const exprs = dash.panels.flatMap((p) =>
        p.targets.map((t) => ({ where: `${file}: ${p.title}`, expr: t.expr })),
      );
      expect(exprs.every((e) => referenced(e.expr).length > 0)).toBe(true);
      expect(problemsOf(exprs, defined)).toEqual([]);
    }
  });

  it('the checker refuses a metric nobody registers and a label a metric lacks', () => {
    expect(problemsOf([{ where: 'x', expr: 'rate(agentops_made_up_total[5m])' }], defined)).toHaveLength(1);
    expect(
      problemsOf([{ where: 'x', expr: 'agentops_fail_closed_total{verdict="deny"}' }], defined),
    ).toHaveLength(1);
  });

  it('Prometheus loads the alert rules and scrapes every service', () => {
    const prom = parse(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(prom.rule_files).toContain('/etc/prometheus/alerts.yml');
    const targets = prom.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
    for (const s of ['ingest', 'guardrail', 'escalation', 'killswitch', 'audit', 'console'])
      expect(targets.some((t) => t.startsWith(`${s}:`))).toBe(true);
  });
});
