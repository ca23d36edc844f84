import { Command } from 'commander';
import { apiTargets, callApi } from './api-client';
import { PageOptions, fetchPages, moreHint, withPageOptions } from './pages';
import { Globals, commandGroup, printer, wholeNumber } from './cli-kit';

/**
 * `agentops killswitch <command>`: flip, release, list and inspect kill switches through the
 * killswitch service's API with the caller's token (sre or admin to flip/release).
 *
 *   agentops killswitch flip --role pricing --action 'pricing.*' --reason "runaway repricing" --ticket INC-42 --ttl 3600
 *   agentops killswitch list [--all]
 *   agentops killswitch release <id> --reason "fixed"
 *   agentops killswitch history [id]
 */
interface SwitchView {
  id: string;
  selector: Record<string, string>;
  state: string;
  actor: string;
  reason: string;
  ticket: string | null;
  expiresAt: string | null;
  flippedAt: string;
  releasedBy: string | null;
  coveredAgents?: number;
}

const base = () => `${apiTargets().killswitch}/v1/killswitches`;

const selectorText = (s: Record<string, string>) =>
  Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'global';
const line = (s: SwitchView) =>
  `${s.id}  ${s.state.padEnd(8)}  ${selectorText(s.selector)}  by ${s.actor}${s.ticket ? `  [${s.ticket}]` : ''}${s.expiresAt ? `  until ${s.expiresAt}` : ''}${
    s.coveredAgents !== undefined ? `  covers ${s.coveredAgents} known agent(s)` : ''
  }  — ${s.reason}`;

/** Adds the `killswitch` command group to the `agentops` CLI. */
export function registerKillswitchCommands(program: Command, globals: Globals): void {
  const group = commandGroup(
    program,
    'killswitch',
    'kill switches for agent cohorts: flip, release, list, history',
  );
  const print = printer(globals);

  group
    .command('flip')
    .description('halt a cohort: every given selector field must match (none = global)')
    .option('--tenant <id>', 'tenant (forced to your own when your token is bound to one)')
    .option('--role <role>', 'pricing | replenishment | service | shopping | other')
    .option('--agent <id>', 'one agent')
    .option('--agent-version <version>', 'agents of this build version')
    .option('--region <region>', 'agents in this region')
    .option('--action <glob>', 'intents whose action matches, e.g. pricing.*')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .option('--ticket <ref>', 'incident or change ticket, e.g. INC-42')
    .option('--ttl <seconds>', 'auto-release after this many seconds', wholeNumber(1, 365 * 86_400))
    .action(
      async (o: {
        tenant?: string;
        role?: string;
        agent?: string;
        agentVersion?: string;
        region?: string;
        action?: string;
        reason: string;
        ticket?: string;
        ttl?: number;
      }) => {
        const selector = Object.fromEntries(
          Object.entries({
            tenantId: o.tenant,
            role: o.role,
            agentId: o.agent,
            agentVersion: o.agentVersion,
            region: o.region,
            action: o.action,
          }).filter(([, v]) => v !== undefined),
        );
        const out = await callApi<SwitchView>('POST', base(), globals().token, {
          selector,
          reason: o.reason,
          ticket: o.ticket,
          ttlSeconds: o.ttl,
        });
        print(out, (s) => `flipped ${line(s)}`);
      },
    );

  group
    .command('release')
    .description('release a kill switch: its cohort may act again (a release is final)')
    .argument('<id>', 'the switch id (see killswitch list)')
    .option('--reason <text>', 'why', 'released')
    .action(async (id: string, o: { reason: string }) => {
      const out = await callApi<SwitchView>(
        'POST',
        `${base()}/${encodeURIComponent(id)}/release`,
        globals().token,
        {
          reason: o.reason,
        },
      );
      print(out, (s) => `released ${line(s)}`);
    });

  withPageOptions(
    group
      .command('list')
      .description(
        'active kill switches, most recently flipped first, with how many known agents each covers',
      )
      .option('--released', 'include released switches'),
  ).action(async (o: PageOptions & { released?: boolean }) => {
    const out = await fetchPages<'switches', SwitchView>(
      `${base()}?state=${o.released ? 'all' : 'active'}`,
      'switches',
      o,
      globals().token,
    );
    print(
      out,
      (v) => (v.switches.length ? v.switches.map(line).join('\n') : 'no kill switches') + moreHint(v.next),
    );
  });

  withPageOptions(
    group
      .command('history')
      .description('flips and releases, newest first: of one switch, or of all')
      .argument('[id]', 'one switch id'),
  ).action(async (id: string | undefined, o: PageOptions) => {
    const out = await fetchPages<
      'history',
      { switchId: string; state: string; actor: string; reason: string; at: string }
    >(
      id ? `${base()}/${encodeURIComponent(id)}/history` : `${base()}/history`,
      'history',
      o,
      globals().token,
    );
    print(
      out,
      (v) =>
        (v.history
          .map((h) => `${h.at}  ${h.switchId}  ${h.state.padEnd(8)}  ${h.actor}  — ${h.reason}`)
          .join('\n') || 'no history') + moreHint(v.next),
    );
  });
}
