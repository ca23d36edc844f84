import { AgentScopes } from '@agentops/contracts';
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadPolicySources } from '../policy/fixtures';
import { runPolicyTests, testPolicyFolder } from '../policy/policy-testing';
import { ApiError, apiTargets, callApi, oneLine } from './api-client';
import { PageOptions, fetchPages, moreHint, withPageOptions } from './pages';
import { registerAccessCommands } from './access';
import { registerAuditCommands } from './audit';
import {
  Output,
  UsageError,
  commandGroup,
  commandNamed,
  commandPath,
  printer,
  requireSubcommand,
  wholeNumber,
} from './cli-kit';
import { registerKillswitchCommands } from './killswitch';
import { registerKnowledgeCommands } from './knowledge';
import { registerRolloutCommands } from './rollout';
import { registerSessionCommands, savedToken } from './session';

/**
 * `agentops`: one entry point for SREs, policy admins, reviewers and auditors over the services'
 * APIs. Every command has `--help` and takes `--output json`; every failure — an API error, an
 * unreachable service, a usage mistake — is one line on stderr and a non-zero exit code (1; 2 for
 * a broken audit chain).
 */
const program = new Command()
  .name('agentops')
  .description('Operate AgentOps: policies, retail context, agents, kill switches, escalations, audit')
  .addOption(
    new Option(
      '--token <token>',
      'bearer token (a user token, or a break-glass operator token); default: the saved login',
    ).env('AGENTOPS_TOKEN'),
  )
  .addOption(
    new Option('-o, --output <format>', 'text for people, json for machines')
      .choices(['text', 'json'])
      .default('text'),
  )
  .addHelpText(
    'after',
    `
Services (default → variable): ingest :3001 AGENTOPS_INGEST_URL, guardrail :3002 AGENTOPS_GUARDRAIL_URL,
escalation :3003 AGENTOPS_ESCALATION_URL, killswitch :3004 AGENTOPS_KILLSWITCH_URL, audit :3005 AGENTOPS_AUDIT_URL, rollout :3006 AGENTOPS_ROLLOUT_URL,
access :3007 AGENTOPS_ACCESS_URL,
console (login, users) :3000 AGENTOPS_CONSOLE_URL. Saved login: ~/.config/agentops/credentials.json (AGENTOPS_CREDENTIALS_FILE).
Exit codes: 0 ok, 1 error (one line on stderr), 2 audit chain broken.`,
  )
  // Usage errors become one line (printed below), not commander's message followed by the help.
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

// Without --token or AGENTOPS_TOKEN, the token saved by `agentops login` (while it is valid).
const globals = () => {
  const opts = program.opts<{ token?: string; output: Output }>();
  return { ...opts, token: opts.token ?? savedToken() };
};
const print = printer(globals);
const api = apiTargets();

const policy = commandGroup(
  program,
  'policy',
  'guardrail policy sets — the platform baseline and each tenant’s set over it: apply, list, test',
);

interface PolicySetView {
  scope: 'baseline' | 'tenant';
  tenantId?: string;
  version: string;
  policies: { id: string; version: string; mode: string }[];
}
interface ActiveView {
  version: string | null;
  policies: { id: string; version: string; mode: string; file: string }[];
}

policy
  .command('apply')
  .description(
    'apply a folder of policy YAML as one set (rejected whole if any file is invalid): the platform baseline, or with --tenant that tenant’s set, which adds constraints to the baseline and never weakens it',
  )
  .argument('<dir>', 'policy folder, e.g. policies/retail')
  .option(
    '--tenant <tenantId>',
    'apply it as this tenant’s set (a tenant’s policy-admin may apply only its own)',
  )
  .option('--baseline', 'apply it as the platform baseline (the default; platform-wide principals only)')
  .action(async (dir: string, opts: { tenant?: string; baseline?: boolean }) => {
    if (opts.tenant && opts.baseline) throw new UsageError('--tenant and --baseline exclude each other');
    const files = loadPolicySources(resolve(dir));
    if (files.length === 0) throw new Error(`no policy YAML in ${dir}`);
    const out = await callApi<PolicySetView>('POST', `${api.guardrail}/v1/policies/sets`, globals().token, {
      ...(opts.tenant ? { tenantId: opts.tenant } : {}),
      files,
    });
    print(
      out,
      (o: typeof out) =>
        `activated policy set ${o.version} (${o.policies.length} policies, ${o.policies.filter((p) => p.mode === 'shadow').length} in shadow mode) as ${o.scope === 'tenant' ? `tenant ${o.tenantId}'s set` : 'the platform baseline'}`,
    );
  });

policy
  .command('list')
  .description(
    'the active sets: the platform baseline and your tenant’s set (--tenant: a tenant’s, for platform users)',
  )
  .option('--tenant <tenantId>', 'the tenant whose set to show (platform-wide users; others see their own)')
  .action(async (opts: { tenant?: string }) => {
    const query = opts.tenant ? `?tenantId=${encodeURIComponent(opts.tenant)}` : '';
    const out = await callApi<{
      baseline: ActiveView;
      tenant: (ActiveView & { tenantId: string }) | null;
      tenants?: { tenantId: string; version: string; policies: number }[];
    }>('GET', `${api.guardrail}/v1/policies${query}`, globals().token);
    const listed = (v: ActiveView) =>
      v.policies.map((p) => `  ${p.id}@${p.version}  ${p.mode.padEnd(7)}  ${p.file}`);
    print(out, (o: typeof out) =>
      [
        `baseline policy set ${o.baseline.version ?? '(none)'}`,
        ...listed(o.baseline),
        ...(o.tenant
          ? [`tenant ${o.tenant.tenantId} policy set ${o.tenant.version ?? '(none)'}`, ...listed(o.tenant)]
          : []),
        ...(o.tenants ?? []).map(
          (t) => `tenant ${t.tenantId} policy set ${t.version} (${t.policies} policies)`,
        ),
      ].join('\n'),
    );
  });

policy
  .command('test')
  .description(
    'run the folder’s fixtures against its policies offline, like `opa test` (no token needed); with --baseline, as a tenant set layered over that baseline',
  )
  .argument('<dir>', 'policy folder with a fixtures/ subfolder')
  .option('--baseline <dir>', 'the baseline folder to layer the tenant set over, e.g. policies/retail')
  .option('--filter <text>', 'only cases whose name contains text')
  .option('-v, --verbose', 'print each passing case’s verdict')
  .action((dir: string, opts: { filter?: string; verbose?: boolean; baseline?: string }) => {
    const options = { ...opts, baseline: opts.baseline ? resolve(opts.baseline) : undefined };
    if (globals().output === 'json') {
      const report = testPolicyFolder(resolve(dir), options);
      print(report, () => '');
      if (!report.ok) throw new Error(policyTestFailure(report));
      return;
    }
    if (runPolicyTests(resolve(dir), options) !== 0) throw new Error(`policy tests in ${dir} failed`);
  });

function policyTestFailure(report: ReturnType<typeof testPolicyFolder>): string {
  if (report.problems) return `policy set in ${report.dir} does not compile: ${report.problems.join('; ')}`;
  if (report.fixtureError) return `${report.dir}: ${report.fixtureError}`;
  if (report.cases.length === 0) return `no fixture cases in ${report.dir}`;
  return `${report.failed} of ${report.cases.length} policy test case(s) failed`;
}

commandGroup(program, 'context', 'retail context the policies read: catalog and retail facts')
  .command('import')
  .description(
    'import catalog.yaml and/or retail.yaml (the fixture format) for a tenant; each import is a new version',
  )
  .argument('<dir>', 'folder holding catalog.yaml and/or retail.yaml')
  .requiredOption('--tenant <tenantId>', 'tenant the context belongs to')
  .action(async (dir: string, opts: { tenant: string }) => {
    const results: Record<string, unknown> = {};
    const read = (name: string) => {
      try {
        return parse(readFileSync(join(resolve(dir), name), 'utf8'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    };
    const catalog = read('catalog.yaml');
    const retail = read('retail.yaml');
    if (!catalog && !retail) throw new Error(`neither catalog.yaml nor retail.yaml in ${dir}`);
    const base = `${api.guardrail}/v1/context/${encodeURIComponent(opts.tenant)}`;
    if (catalog) results.catalog = await callApi('PUT', `${base}/catalog`, globals().token, catalog);
    if (retail) results.retailFacts = await callApi('PUT', `${base}/retail-facts`, globals().token, retail);
    print(results, (r: { catalog?: { imported: number }; retailFacts?: { version: number } }) =>
      [
        r.catalog && `catalog: ${r.catalog.imported} items`,
        r.retailFacts && `retail facts: version ${r.retailFacts.version}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });

const agents = commandGroup(program, 'agents', 'the agent registry: register, list, scopes, rotate-key');

agents
  .command('register')
  .description(
    'register an agent (or update its labels) and print a new API key once; registering again adds a key, rotate-key replaces them',
  )
  .requiredOption('--id <id>', 'agent id')
  .requiredOption('--tenant <tenantId>', 'the agent’s tenant')
  .requiredOption('--role <role>', 'pricing | replenishment | service | shopping | other')
  .option('--name <name>', 'display name (default: the id)')
  .option('--agent-version <version>', 'the agent build’s version', '1.0.0')
  .option('--region <region>', 'region', 'eu-west')
  .option('--owner-team <team>', 'team that owns the agent')
  .action(
    async (o: {
      id: string;
      tenant: string;
      role: string;
      name?: string;
      agentVersion: string;
      region: string;
      ownerTeam?: string;
    }) => {
      const out = await callApi<{ agent: { id: string }; apiKey: string }>(
        'POST',
        `${api.ingest}/v1/agents`,
        globals().token,
        {
          id: o.id,
          tenantId: o.tenant,
          role: o.role,
          name: o.name ?? o.id,
          version: o.agentVersion,
          region: o.region,
          ownerTeam: o.ownerTeam,
        },
      );
      print(out, (r: typeof out) => `registered ${r.agent.id}\nAPI key (shown once): ${r.apiKey}`);
    },
  );

withPageOptions(
  agents
    .command('list')
    .description('registered agents by id (of your tenant, or of --tenant for an operator)')
    .option('--tenant <tenantId>', 'only this tenant'),
).action(async (o: PageOptions & { tenant?: string }) => {
  const url = new URL(`${api.ingest}/v1/agents`);
  if (o.tenant) url.searchParams.set('tenantId', o.tenant);
  const out = await fetchPages<
    'agents',
    { id: string; role: string; version: string; region: string; tenantId: string }
  >(url.toString(), 'agents', o, globals().token);
  print(
    out,
    (r: typeof out) =>
      (r.agents.map((a) => `${a.id}  ${a.tenantId}  ${a.role}  v${a.version}  ${a.region}`).join('\n') ||
        '(no agents)') + moreHint(r.next),
  );
});

agents
  .command('scopes')
  .description('set what an agent may do; --reset restores its role’s defaults')
  .argument('<agentId>', 'agent id')
  .option('--actions <globs>', 'comma-separated action globs, e.g. service.*,shopping.recommend')
  .option('--data <classes>', 'comma-separated data classes the agent may read')
  .option('--limit <action:field:max...>', 'value limit, e.g. service.issue_refund:amount:500 (repeatable)')
  .option('--reset', 'use the role defaults')
  .action(
    async (agentId: string, o: { actions?: string; data?: string; limit?: string[]; reset?: boolean }) => {
      let scopes: AgentScopes | null = null;
      if (!o.reset) {
        if (!o.actions) throw new UsageError('--actions is required unless --reset');
        scopes = {
          actions: o.actions.split(',').map((s) => s.trim()),
          ...(o.data ? { dataClasses: o.data.split(',').map((s) => s.trim()) } : {}),
          ...(o.limit ? { limits: o.limit.map(parseLimit) } : {}),
        };
      }
      const out = await callApi(
        'PUT',
        `${api.ingest}/v1/agents/${encodeURIComponent(agentId)}/scopes`,
        globals().token,
        { scopes },
      );
      print(out, () => `scopes of ${agentId} ${scopes ? 'set' : 'reset to the role defaults'}`);
    },
  );

agents
  .command('rotate-key')
  .description(
    'issue a new API key (printed once) and retire the agent’s previous keys: at once, or after --grace seconds',
  )
  .argument('<agentId>', 'agent id')
  .option(
    '--grace <seconds>',
    'the previous keys keep working this long (0..86400), to redeploy the agent with the new key',
    wholeNumber(0, 86_400),
    0,
  )
  .action(async (agentId: string, o: { grace: number }) => {
    const out = await callApi<{
      agent: { id: string };
      apiKey: string;
      keyId: string;
      previousKeysExpireAt: string | null;
    }>('POST', `${api.ingest}/v1/agents/${encodeURIComponent(agentId)}/keys/rotate`, globals().token, {
      graceSeconds: o.grace,
    });
    print(out, (r: typeof out) =>
      [
        `rotated the key of ${r.agent.id}: new key ${r.keyId}`,
        r.previousKeysExpireAt === null
          ? 'the agent had no working key before'
          : o.grace === 0
            ? 'previous keys: revoked now'
            : `previous keys: keep working until ${r.previousKeysExpireAt}`,
        `API key (shown once): ${r.apiKey}`,
      ].join('\n'),
    );
  });

interface EscalationTask {
  id: string;
  tenantId: string;
  status: string;
  route: string;
  group: string;
  tier: number;
  dueAt: string | null;
  fourEyes: boolean;
  approvals: { by: string }[];
  agent: { id: string; owner: string | null };
  intent: { action: string; target?: { id: string }; params?: Record<string, unknown> };
  reasons: { policyId: string; message: string }[];
  resolution: string | null;
}

const describeTask = (t: EscalationTask) =>
  `${t.id}  ${t.status.padEnd(8)} ${t.intent.action} on ${t.intent.target?.id ?? '?'} by ${t.agent.id}  route ${t.route} → ${t.group} (tier ${t.tier})` +
  `${t.dueAt ? `  due ${t.dueAt}` : ''}${t.fourEyes ? `  four-eyes ${t.approvals.length}/2` : ''}${t.resolution ? `  ${t.resolution}` : ''}\n` +
  t.reasons.map((r) => `    ${r.policyId}: ${r.message}`).join('\n');

const escalation = commandGroup(
  program,
  'escalation',
  'human review tasks: list, claim, approve, reject, comment',
);

withPageOptions(
  escalation
    .command('list')
    .description('the review queue (open tasks by default), soonest due first')
    .addOption(new Option('--status <status>', 'task status').choices(['open', 'resolved']).default('open'))
    .option('--group <group>', 'reviewer group')
    .option('--route <route>', 'routing rule name')
    .option('--agent <agentId>', 'tasks about this agent')
    .option('--tenant <tenantId>', 'only this tenant'),
).action(
  async (
    o: PageOptions & { status: string; group?: string; route?: string; agent?: string; tenant?: string },
  ) => {
    const q = new URLSearchParams({ status: o.status });
    if (o.group) q.set('group', o.group);
    if (o.route) q.set('route', o.route);
    if (o.agent) q.set('agentId', o.agent);
    if (o.tenant) q.set('tenantId', o.tenant);
    const out = await fetchPages<'tasks', EscalationTask>(
      `${api.escalation}/v1/escalations?${q}`,
      'tasks',
      o,
      globals().token,
    );
    print(out, (r: typeof out) => (r.tasks.map(describeTask).join('\n') || '(no tasks)') + moreHint(r.next));
  },
);

escalation
  .command('claim')
  .description('take a task: it is yours to decide')
  .argument('<taskId>', 'task id (see escalation list)')
  .action(async (taskId: string) => {
    const out = await callApi<EscalationTask>(
      'POST',
      `${api.escalation}/v1/escalations/${encodeURIComponent(taskId)}/claim`,
      globals().token,
      {},
    );
    print(out, (t: EscalationTask) => `claimed ${t.id}`);
  });

escalation
  .command('approve')
  .description(
    'approve; with --params, approve with changes (re-checked by guardrail, refused if a policy would deny)',
  )
  .argument('<taskId>', 'task id')
  .option('--comment <text>', 'why')
  .option('--params <json>', 'the edited params as a JSON object')
  .action(async (taskId: string, o: { comment?: string; params?: string }) => {
    let params: Record<string, unknown> | undefined;
    if (o.params) {
      try {
        params = JSON.parse(o.params) as Record<string, unknown>;
      } catch {
        throw new UsageError('--params must be a JSON object');
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params))
        throw new UsageError('--params must be a JSON object');
    }
    const out = await callApi<EscalationTask>(
      'POST',
      `${api.escalation}/v1/escalations/${encodeURIComponent(taskId)}/approve`,
      globals().token,
      {
        ...(o.comment ? { comment: o.comment } : {}),
        ...(params ? { params } : {}),
      },
    );
    print(out, (t: EscalationTask) =>
      t.status === 'open'
        ? `approved ${t.id}: ${t.approvals.length} of 2 approvals, a second reviewer is needed`
        : `${t.id} ${t.resolution}`,
    );
  });

escalation
  .command('reject')
  .description('reject: the agent is told deny, decided by a human')
  .argument('<taskId>', 'task id')
  .option('--comment <text>', 'why')
  .action(async (taskId: string, o: { comment?: string }) => {
    const out = await callApi<EscalationTask>(
      'POST',
      `${api.escalation}/v1/escalations/${encodeURIComponent(taskId)}/reject`,
      globals().token,
      o.comment ? { comment: o.comment } : {},
    );
    print(out, (t: EscalationTask) => `${t.id} ${t.resolution}`);
  });

escalation
  .command('comment')
  .description('add a comment to a task (it stays open)')
  .argument('<taskId>', 'task id')
  .argument('<text>', 'the comment')
  .action(async (taskId: string, text: string) => {
    const out = await callApi<EscalationTask>(
      'POST',
      `${api.escalation}/v1/escalations/${encodeURIComponent(taskId)}/comments`,
      globals().token,
      { text },
    );
    print(out, (t: EscalationTask) => `commented on ${t.id}`);
  });

function parseLimit(raw: string): { action: string; field: string; max: number } {
  const [action, field, max] = raw.split(':');
  if (!action || !field || !Number.isFinite(Number(max)))
    throw new UsageError(`--limit ${raw}: expected action:field:max`);
  return { action, field, max: Number(max) };
}

registerSessionCommands(program, globals);
registerKillswitchCommands(program, globals);
registerRolloutCommands(program, globals);
registerAccessCommands(program, globals);
registerAuditCommands(program, globals);
registerKnowledgeCommands(program, globals);
requireSubcommand(program).helpCommand(true);

/**
 * One line on stderr (a JSON object with `--output json`), and the exit code. The process ends on
 * its own rather than by process.exit, so output still buffered for a pipe is not cut off.
 */
function fail(error: unknown): void {
  const e = error as Error & { exitCode?: number };
  const message = oneLine(
    error instanceof CommanderError ? e.message.replace(/^error: /, '') : (e.message ?? String(error)),
  );
  const usage = error instanceof CommanderError || error instanceof UsageError;
  const exitCode = error instanceof CommanderError ? e.exitCode || 1 : (e.exitCode ?? 1);
  if (jsonRequested()) {
    const status = error instanceof ApiError ? { status: error.status } : {};
    console.error(JSON.stringify({ error: message, ...status, ...(usage ? { usage: true } : {}) }));
  } else {
    const help = `see ${commandPath(commandNamed(program, process.argv.slice(2)))} --help`;
    console.error(`agentops: ${message}${usage && !/--help/.test(message) ? ` (${help})` : ''}`);
  }
  process.exitCode = exitCode;
}

/** Also true when parsing stopped before the option was read. */
function jsonRequested(): boolean {
  if (program.opts<{ output?: string }>().output === 'json') return true;
  const argv = process.argv.slice(2);
  return argv.some(
    (a, i) => a === '--output=json' || ((a === '--output' || a === '-o') && argv[i + 1] === 'json'),
  );
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // --help and --version end parsing with exit code 0; they are not failures.
  if (error instanceof CommanderError && error.exitCode === 0) process.exitCode = 0;
  else fail(error);
});
