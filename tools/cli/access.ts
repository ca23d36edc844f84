import { Command } from 'commander';
import { apiTargets, callApi } from './api-client';
import { Globals, commandGroup, printer } from './cli-kit';
import { PageOptions, fetchPages, moreHint, withPageOptions } from './pages';

/**
 * `agentops access <command>`: what the data-access monitor (issue #17) found, through the access
 * service's API with the caller's token (any authenticated role; tenant-bound callers see their
 * tenant only).
 *
 *   agentops access anomalies [--agent svc-1] [--severity high] [--all]
 *   agentops access baseline [--agent svc-1]
 */
interface AnomalyView {
  anomalyId: string;
  agentId: string;
  feature: string;
  detector: string;
  severity: string;
  observed: number;
  baseline: number;
  deviation: number;
  baselineFrom: string;
  detectedAt: string;
  message: string;
  quarantine?: { switchId: string };
}
interface Moments {
  mean: number;
  sd: number;
}
interface BaselineView {
  agentId: string;
  role: string;
  version: string;
  from: string | null;
  perIntent: { records: Moments; subjects: Moments; reads: Moments } | null;
  now: { records: number; subjects: number; reads: number; intents: number };
  quarantineSwitchId: string | null;
}

const base = () => `${apiTargets().access}/v1/access`;
const num = (x: number) => Number(x.toPrecision(3)).toString();

const anomalyLine = (a: AnomalyView) =>
  `${a.detectedAt}  ${a.severity.padEnd(6)}  ${a.agentId}  ${a.feature}/${a.detector}  observed ${num(a.observed)} vs ${a.baselineFrom} ${num(a.baseline)} (deviation ${num(a.deviation)})${
    a.quarantine ? `  quarantined: ${a.quarantine.switchId}` : ''
  }\n    ${a.message}`;

function baselineLine(b: BaselineView): string {
  const per = (k: 'records' | 'subjects' | 'reads') => {
    const now = b.now.intents > 0 ? b.now[k] / b.now.intents : b.now[k];
    const usual = b.perIntent ? `${num(b.perIntent[k].mean)} ± ${num(b.perIntent[k].sd)}` : '–';
    return `${k} ${num(now)} (usual ${usual})`;
  };
  return `${b.agentId}  ${b.role} ${b.version}  baseline: ${b.from ?? 'none yet'}  now per intent over ${b.now.intents}: ${per('records')}, ${per('subjects')}, ${per('reads')}${
    b.quarantineSwitchId ? `  QUARANTINED (${b.quarantineSwitchId})` : ''
  }`;
}

/** Adds the `access` command group to the `agentops` CLI. */
export function registerAccessCommands(program: Command, globals: Globals): void {
  const group = commandGroup(
    program,
    'access',
    'data-access monitoring: anomalies with their explanation, and each agent’s baseline beside now',
  );
  const print = printer(globals);

  withPageOptions(
    group
      .command('anomalies')
      .description('anomalies, newest first: feature, detector, observed vs baseline, and any quarantine')
      .option('--agent <id>', 'one agent only')
      .option('--severity <level>', 'low, medium or high')
      .option('--tenant <id>', 'one tenant (platform-wide callers)'),
  ).action(async (o: PageOptions & { agent?: string; severity?: string; tenant?: string }) => {
    const url = new URL(`${base()}/anomalies`);
    if (o.agent) url.searchParams.set('agentId', o.agent);
    if (o.severity) url.searchParams.set('severity', o.severity);
    if (o.tenant) url.searchParams.set('tenantId', o.tenant);
    const out = await fetchPages<'anomalies', AnomalyView>(url.toString(), 'anomalies', o, globals().token);
    print(
      out,
      (v) =>
        (v.anomalies.length ? v.anomalies.map(anomalyLine).join('\n') : 'no anomalies') + moreHint(v.next),
    );
  });

  group
    .command('baseline')
    .description("each agent's baseline per business intent (its own or its peers') beside its open bucket")
    .option('--agent <id>', 'one agent only')
    .option('--tenant <id>', 'one tenant (platform-wide callers)')
    .action(async (o: { agent?: string; tenant?: string }) => {
      const url = new URL(`${base()}/baselines`);
      if (o.agent) url.searchParams.set('agentId', o.agent);
      if (o.tenant) url.searchParams.set('tenantId', o.tenant);
      const out = await callApi<{ baselines: BaselineView[] }>('GET', url.toString(), globals().token);
      print(out, (v) =>
        v.baselines.length ? v.baselines.map(baselineLine).join('\n') : 'no agents monitored',
      );
    });
}
