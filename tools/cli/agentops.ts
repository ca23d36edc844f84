import { AgentScopes } from '@agentops/contracts';
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadPolicySources } from '../policy/fixtures';
import { runPolicyTests } from '../policy/policy-test';
import { apiTargets, callApi } from './api-client';
import { registerKillswitchCommands } from './killswitch';

/**
 * `agentops`: one entry point for SREs, policy admins and auditors over the services' APIs.
 * Every command takes `--output json`; errors print one line and exit non-zero.
 */
type Output = 'text' | 'json';

const program = new Command()
  .name('agentops')
  .description('Operate AgentOps: policies, retail context, agents')
  .addOption(
    new Option('--token <token>', 'bearer token (user token or operator token)').env('AGENTOPS_TOKEN'),
  )
  .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
  .showHelpAfterError();

const globals = () => program.opts<{ token?: string; output: Output }>();
registerKillswitchCommands(program, globals);
const api = apiTargets();

function print(value: unknown, text: (v: never) => string): void {
  const { output } = globals();
  console.log(output === 'json' ? JSON.stringify(value, null, 2) : text(value as never));
}

const policy = program.command('policy').description('policy sets: apply, list, test');

policy
  .command('apply')
  .description('apply a folder of policy YAML as one set (rejected whole if any file is invalid)')
  .argument('<dir>', 'policy folder, e.g. policies/retail')
  .action(async (dir: string) => {
    const files = loadPolicySources(resolve(dir));
    if (files.length === 0) throw new Error(`no policy YAML in ${dir}`);
    const out = await callApi<{ version: string; policies: { id: string; version: string; mode: string }[] }>(
      'POST',
      `${api.guardrail}/v1/policies/sets`,
      globals().token,
      { files },
    );
    print(
      out,
      (o: typeof out) =>
        `activated policy set ${o.version} (${o.policies.length} policies, ${o.policies.filter((p) => p.mode === 'shadow').length} in shadow mode)`,
    );
  });

policy
  .command('list')
  .description('the active policy set')
  .action(async () => {
    const out = await callApi<{
      version: string | null;
      policies: { id: string; version: string; mode: string; file: string }[];
    }>('GET', `${api.guardrail}/v1/policies`, globals().token);
    print(out, (o: typeof out) =>
      [
        `policy set ${o.version ?? '(none)'}`,
        ...o.policies.map((p) => `  ${p.id}@${p.version}  ${p.mode.padEnd(7)}  ${p.file}`),
      ].join('\n'),
    );
  });

policy
  .command('test')
  .description('run the folder’s fixtures against its policies, like `opa test`')
  .argument('<dir>', 'policy folder with a fixtures/ subfolder')
  .option('--filter <text>', 'only cases whose name contains text')
  .option('-v, --verbose', 'print passing cases too')
  .action((dir: string, opts: { filter?: string; verbose?: boolean }) => {
    process.exitCode = runPolicyTests(resolve(dir), opts);
  });

program
  .command('context')
  .description('retail context for policies')
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

const agents = program.command('agents').description('the agent registry');

agents
  .command('register')
  .description('register an agent (or re-key an existing one) and print its API key once')
  .requiredOption('--id <id>')
  .requiredOption('--tenant <tenantId>')
  .requiredOption('--role <role>', 'pricing | replenishment | service | shopping | other')
  .option('--name <name>')
  .option('--agent-version <version>', 'the agent build’s version', '1.0.0')
  .option('--region <region>', 'region', 'eu-west')
  .option('--owner-team <team>')
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

agents
  .command('list')
  .option('--tenant <tenantId>')
  .action(async (o: { tenant?: string }) => {
    const out = await callApi<{
      agents: { id: string; role: string; version: string; region: string; tenantId: string }[];
    }>(
      'GET',
      `${api.ingest}/v1/agents${o.tenant ? `?tenantId=${encodeURIComponent(o.tenant)}` : ''}`,
      globals().token,
    );
    print(
      out,
      (r: typeof out) =>
        r.agents.map((a) => `${a.id}  ${a.tenantId}  ${a.role}  v${a.version}  ${a.region}`).join('\n') ||
        '(no agents)',
    );
  });

agents
  .command('scopes')
  .description('set what an agent may do; --reset restores its role’s defaults')
  .argument('<agentId>')
  .option('--actions <globs>', 'comma-separated action globs, e.g. service.*,shopping.recommend')
  .option('--data <classes>', 'comma-separated data classes the agent may read')
  .option('--limit <action:field:max...>', 'value limit, e.g. service.issue_refund:amount:500 (repeatable)')
  .option('--reset', 'use the role defaults')
  .action(
    async (agentId: string, o: { actions?: string; data?: string; limit?: string[]; reset?: boolean }) => {
      let scopes: AgentScopes | null = null;
      if (!o.reset) {
        if (!o.actions) throw new Error('--actions is required unless --reset');
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

// The escalation service is not in apiTargets (tools/cli/api-client.ts); its URL is read here.
const escalationUrl = process.env.AGENTOPS_ESCALATION_URL ?? 'http://127.0.0.1:3003';

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

const escalation = program
  .command('escalation')
  .description('human review tasks: list, claim, approve, reject, comment');

escalation
  .command('list')
  .description('the review queue (open tasks by default), soonest due first')
  .option('--status <status>', 'open | resolved', 'open')
  .option('--group <group>', 'reviewer group')
  .option('--route <route>')
  .option('--agent <agentId>')
  .option('--tenant <tenantId>')
  .action(async (o: { status: string; group?: string; route?: string; agent?: string; tenant?: string }) => {
    const q = new URLSearchParams({ status: o.status });
    if (o.group) q.set('group', o.group);
    if (o.route) q.set('route', o.route);
    if (o.agent) q.set('agentId', o.agent);
    if (o.tenant) q.set('tenantId', o.tenant);
    const out = await callApi<{ tasks: EscalationTask[] }>(
      'GET',
      `${escalationUrl}/v1/escalations?${q}`,
      globals().token,
    );
    print(out, (r: typeof out) => r.tasks.map(describeTask).join('\n') || '(no tasks)');
  });

escalation
  .command('claim')
  .argument('<taskId>')
  .action(async (taskId: string) => {
    const out = await callApi<EscalationTask>(
      'POST',
      `${escalationUrl}/v1/escalations/${encodeURIComponent(taskId)}/claim`,
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
  .argument('<taskId>')
  .option('--comment <text>')
  .option('--params <json>', 'the edited params as a JSON object')
  .action(async (taskId: string, o: { comment?: string; params?: string }) => {
    let params: Record<string, unknown> | undefined;
    if (o.params) {
      try {
        params = JSON.parse(o.params) as Record<string, unknown>;
      } catch {
        throw new Error('--params must be a JSON object');
      }
    }
    const out = await callApi<EscalationTask>(
      'POST',
      `${escalationUrl}/v1/escalations/${encodeURIComponent(taskId)}/approve`,
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
  .argument('<taskId>')
  .option('--comment <text>')
  .action(async (taskId: string, o: { comment?: string }) => {
    const out = await callApi<EscalationTask>(
      'POST',
      `${escalationUrl}/v1/escalations/${encodeURIComponent(taskId)}/reject`,
      globals().token,
      o.comment ? { comment: o.comment } : {},
    );
    print(out, (t: EscalationTask) => `${t.id} ${t.resolution}`);
  });

escalation
  .command('comment')
  .argument('<taskId>')
  .argument('<text>')
  .action(async (taskId: string, text: string) => {
    const out = await callApi<EscalationTask>(
      'POST',
      `${escalationUrl}/v1/escalations/${encodeURIComponent(taskId)}/comments`,
      globals().token,
      { text },
    );
    print(out, (t: EscalationTask) => `commented on ${t.id}`);
  });

function parseLimit(raw: string): { action: string; field: string; max: number } {
  const [action, field, max] = raw.split(':');
  if (!action || !field || !Number.isFinite(Number(max)))
    throw new Error(`--limit ${raw}: expected action:field:max`);
  return { action, field, max: Number(max) };
}

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`agentops: ${error.message}`);
  process.exit(1);
});
