import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { apiTargets, callApi } from './api-client';
import { PageOptions, fetchPages, moreHint, withPageOptions } from './pages';
import { Globals, commandGroup, printer } from './cli-kit';

/**
 * `agentops rollout <command>`: apply and steer `kind: AgentRollout` resources through the rollout
 * service's API with the caller's token (sre or admin to apply and act; any role to read).
 *
 *   agentops rollout apply -f pricing-v2.yaml
 *   agentops rollout list
 *   agentops rollout status pricing-v2
 *   agentops rollout pause|resume|rollback pricing-v2 [--reason "why"]
 *   agentops rollout promote pricing-v2 [--variant v2]
 */
interface GuardrailView {
  id: string;
  candidate: string;
  status: string;
  candidateValue: number;
  baselineValue: number;
  evidence: { lower: number; upper: number };
}
interface RolloutView {
  id: string;
  key: string;
  tenantId: string;
  mode: string;
  status: string;
  pausedReason?: string;
  stepIndex: number;
  steps: unknown[];
  weights: Record<string, number>;
  halts?: { variant: string; killSwitchId: string | null; skipped?: string }[];
  analysis?: {
    decisions: Record<string, number>;
    guardrails: GuardrailView[];
    srm: { mismatch: boolean };
  };
  transitions?: { transition: string; actor: string; reason: string; at: string }[];
}

const base = () => `${apiTargets().rollout}/v1/rollouts`;
const weights = (w: Record<string, number>) =>
  Object.entries(w)
    .map(([arm, pct]) => `${arm} ${pct}%`)
    .join(' / ');
const summary = (r: RolloutView) =>
  `${r.key}  ${r.status}${r.pausedReason ? ` (${r.pausedReason})` : ''}  ${r.mode} step ${r.stepIndex + 1}/${Math.max(r.steps.length, 1)}  ${weights(r.weights)}  ${r.id}`;
const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : '–');

function details(r: RolloutView): string {
  const lines = [summary(r)];
  if (r.analysis) {
    lines.push(
      `decisions: ${Object.entries(r.analysis.decisions)
        .map(([a, n]) => `${a} ${n}`)
        .join(', ')}${r.analysis.srm.mismatch ? '  (sample-ratio mismatch)' : ''}`,
    );
    for (const g of r.analysis.guardrails)
      lines.push(
        `  ${g.id} ${g.candidate}: ${num(g.candidateValue)} vs baseline ${num(g.baselineValue)}  effect [${num(g.evidence.lower)}, ${num(g.evidence.upper)}]  ${g.status}`,
      );
  }
  for (const h of r.halts ?? [])
    lines.push(
      `halt ${h.variant}: ${h.killSwitchId ? `kill switch ${h.killSwitchId}` : (h.skipped ?? 'pending')}`,
    );
  for (const t of r.transitions ?? [])
    lines.push(`  ${t.at}  ${t.transition.padEnd(11)} by ${t.actor} — ${t.reason}`);
  return lines.join('\n');
}

/** Adds the `rollout` command group to the `agentops` CLI. */
export function registerRolloutCommands(program: Command, globals: Globals): void {
  const group = commandGroup(
    program,
    'rollout',
    'canary releases and experiments of agent versions: apply, list, status, pause, resume, promote, rollback',
  );
  const print = printer(globals);

  group
    .command('apply')
    .description('apply an AgentRollout (YAML or JSON); a bad field is refused naming it')
    .requiredOption('-f, --file <path>', 'the AgentRollout document')
    .action(async (o: { file: string }) => {
      const out = await callApi<RolloutView>('POST', base(), globals().token, {
        yaml: readFileSync(o.file, 'utf8'),
      });
      print(out, (r) => `applied ${summary(r)}`);
    });

  withPageOptions(group.command('list').description('rollouts of your tenant, newest first')).action(
    async (o: PageOptions) => {
      const out = await fetchPages<'rollouts', RolloutView>(base(), 'rollouts', o, globals().token);
      print(
        out,
        (v) => (v.rollouts.length ? v.rollouts.map(summary).join('\n') : 'no rollouts') + moreHint(v.next),
      );
    },
  );

  group
    .command('status')
    .description('a rollout: weights, per-arm KPIs with their bounds, halts and its decision log')
    .argument('<rollout>', 'its key (metadata.name) or id')
    .action(async (ref: string) => {
      const out = await callApi<RolloutView>('GET', `${base()}/${encodeURIComponent(ref)}`, globals().token);
      print(out, details);
    });

  for (const action of ['pause', 'resume', 'rollback'] as const)
    group
      .command(action)
      .description(
        action === 'rollback'
          ? 'serve the baseline to every unit and halt the candidates (final)'
          : `${action} the analysis's steps (a rollback on proven harm still happens while paused)`,
      )
      .argument('<rollout>', 'its key (metadata.name) or id')
      .option('--reason <text>', 'why (recorded in the transition and the audit log)')
      .action(async (ref: string, o: { reason?: string }) => {
        const out = await callApi<RolloutView>(
          'POST',
          `${base()}/${encodeURIComponent(ref)}/${action}`,
          globals().token,
          { reason: o.reason },
        );
        print(out, (r) => `${action}: ${summary(r)}`);
      });

  group
    .command('promote')
    .description('serve one candidate to every unit (final)')
    .argument('<rollout>', 'its key (metadata.name) or id')
    .option('--variant <name>', "the candidate (a canary's only one by default)")
    .option('--reason <text>', 'why')
    .action(async (ref: string, o: { variant?: string; reason?: string }) => {
      const out = await callApi<RolloutView>(
        'POST',
        `${base()}/${encodeURIComponent(ref)}/promote`,
        globals().token,
        { variant: o.variant, reason: o.reason },
      );
      print(out, (r) => `promoted: ${summary(r)}`);
    });
}
