import { RunningService, mintUserToken } from '@agentops/service-runtime';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { priceIntent } from '../support/agent-http';
import { CLI, CLI_ROOT as ROOT, CliResult, runCli } from '../support/cli';
import { bootService, eventually } from '../support/platform';
import { FLOOR_POLICY } from '../support/policies';
import { dropTestDatabase, prepareTestStack } from '../support/stack-setup';
import { TEST_TOKEN_SIGNER, TEST_OPERATOR_TOKEN } from '../support/test-env';

/**
 * Issue #8 (CLI): every `agentops` subcommand, spawned as the built binary against the services
 * booted here on the real stack, asserted on what it changed. The suite has a database and topic
 * prefix of its own, because it ends by tampering with the audit store as superuser.
 *
 * Needs `npm run build` first (scripts/test.sh builds before it tests).
 */
const DB = `agentops_test_cli_${Date.now().toString(36)}_${process.pid}`;
const SUPER_URL = `postgres://postgres@127.0.0.1:5432/${DB}`;
const PREFIX = `tc${Date.now().toString(36)}.`;
const TENANT = 'maison-cli';
const OTHER = 'other-cli';
const SUFFIX = Date.now().toString(36);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PRICING_AGENT = `pricing-cli-${SUFFIX}`;
const REVIEW_AGENT = `review-cli-${SUFFIX}`;

/** Low confidence is for a human to judge. */
const LOW_CONFIDENCE = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: low-confidence, version: "1" }
spec:
  match: { actions: ["*"] }
  validations:
    - expression: "intent.confidence >= 0.6"
      message: agent is not confident enough
      effect: escalate
`;

describe('agentops CLI: every command on the real stack (issue #8)', () => {
  const svc: Partial<Record<'audit' | 'guardrail' | 'escalation' | 'killswitch' | 'ingest', RunningService>> =
    {};
  let ingestB: RunningService | undefined;
  let db: Client;
  const work = mkdtempSync(join(tmpdir(), 'agentops-cli-'));
  const tokens: Record<
    'sre' | 'reviewer' | 'reviewer2' | 'otherReviewer' | 'auditor' | 'otherAuditor',
    string
  > = {
    sre: '',
    reviewer: '',
    reviewer2: '',
    otherReviewer: '',
    auditor: '',
    otherAuditor: '',
  };
  let closedPort: number;
  let reviewKey: string;
  let graceKey: string;
  let currentKey: string;

  const serviceEnv = (overrides: Record<string, string> = {}) => ({
    KAFKA_TOPIC_PREFIX: PREFIX,
    TEST_DATABASE: DB, // each service connects as its own role of this suite's database
    REDIS_KEY_PREFIX: `agentops-test:${PREFIX}`,
    ...overrides,
  });

  /** Runs the built CLI as a user would, pointed at this suite's services. */
  const cli = (args: string[], opts: { token?: string | null; env?: Record<string, string> } = {}) => {
    const token = opts.token === undefined ? TEST_OPERATOR_TOKEN : opts.token;
    return runCli(args, {
      HOME: work, // no saved login of whoever runs the suite
      AGENTOPS_INGEST_URL: svc.ingest!.url,
      AGENTOPS_GUARDRAIL_URL: svc.guardrail!.url,
      AGENTOPS_ESCALATION_URL: svc.escalation!.url,
      AGENTOPS_KILLSWITCH_URL: svc.killswitch!.url,
      AGENTOPS_AUDIT_URL: svc.audit!.url,
      // Never a saved `agentops login` of whoever runs the tests.
      AGENTOPS_CREDENTIALS_FILE: join(work, 'no-saved-login.json'),
      ...(token === null ? {} : { AGENTOPS_TOKEN: token }),
      ...opts.env,
    });
  };

  const ok = (r: CliResult) => {
    if (r.code !== 0) throw new Error(`CLI exited ${r.code}: ${r.stderr}${r.stdout}`);
    expect(r.stderr).toBe('');
    return r.stdout;
  };
  const json = <T = Record<string, unknown>>(r: CliResult) => JSON.parse(ok(r)) as T;
  /** A failure is exactly one line on stderr and a non-zero exit code. */
  const oneLineError = (r: CliResult, pattern: RegExp, code = 1) => {
    expect({ code: r.code, lines: r.stderr.trimEnd().split('\n').length }).toEqual({ code, lines: 1 });
    expect(r.stderr).toMatch(/\n$/);
    expect(r.stderr.trimEnd()).toMatch(pattern);
    expect(r.stderr).not.toMatch(/Usage:|at .*\.js:\d+/);
  };

  /** Polls until the check holds on two reads in a row that agree (the audit consumer has caught up). */
  const settled = async <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => {
    let previous: string | undefined;
    return eventually(
      async () => {
        const value = await read();
        const seen = JSON.stringify(value);
        const stable = seen === previous;
        previous = seen;
        return stable && holds(value) ? value : undefined;
      },
      30_000,
      what,
    );
  };

  const keyFrom = (stdout: string) => {
    const key = /API key \(shown once\): (aok_\S+)/.exec(stdout)?.[1];
    if (!key) throw new Error(`no API key in: ${stdout}`);
    return key;
  };
  const propose = async (key: string, body: unknown, wait = true) => {
    const res = await fetch(`${svc.ingest!.url}/v1/intents${wait ? '?wait=true&timeoutMs=10000' : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        intentId: string;
        status: string;
        decision?: { verdict: string; decidedBy: string; reasons: { policyId: string; message: string }[] };
      },
    };
  };
  const decisionOf = async (key: string, intentId: string) => {
    const res = await fetch(`${svc.ingest!.url}/v1/intents/${intentId}/decision`, {
      headers: { 'x-api-key': key },
    });
    return (await res.json()) as { status: string; decision: { verdict: string; decidedBy: string } };
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    for (const file of readdirSync(join(ROOT, 'tools/cli')).filter(
      (f) => /\.ts$/.test(f) && !/spec/.test(f),
    )) {
      const built = join(ROOT, 'dist/tools/cli', file.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, 'tools/cli', file)).mtimeMs)
        throw new Error(`${built} is older than tools/cli/${file}: run \`npm run build\` first`);
    }
    await prepareTestStack(DB, SUPER_URL, PREFIX);
    db = new Client({ connectionString: SUPER_URL });
    await db.connect();

    const routesFile = join(work, 'routes.yaml');
    writeFileSync(
      routesFile,
      'default:\n  name: default\n  tiers: [{ group: reviewers, slaMs: 3600000 }]\n  timeoutOutcome: deny\nroutes: []\n',
    );
    svc.audit = await bootService('audit', serviceEnv({ AUDIT_CHECKPOINT_EVERY: '5' }));
    svc.guardrail = await bootService('guardrail', serviceEnv());
    svc.escalation = await bootService(
      'escalation',
      serviceEnv({ GUARDRAIL_URL: svc.guardrail.url, ESCALATION_ROUTES_FILE: routesFile }),
    );
    svc.killswitch = await bootService('killswitch', serviceEnv());
    svc.ingest = await bootService('ingest', serviceEnv());

    const mint = (userId: string, roles: ('sre' | 'reviewer' | 'auditor')[], tenantId = TENANT) =>
      mintUserToken({ userId, tenantId, roles, groups: ['reviewers'] }, TEST_TOKEN_SIGNER);
    tokens.sre = await mint('sam-sre', ['sre']);
    tokens.reviewer = await mint('alice', ['reviewer']);
    tokens.reviewer2 = await mint('bob', ['reviewer']);
    tokens.otherReviewer = await mint('oscar', ['reviewer'], OTHER);
    tokens.auditor = await mint('dana', ['auditor']);
    tokens.otherAuditor = await mint('olga', ['auditor'], OTHER);

    // A port nothing listens on, for the unreachable-service case.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closedPort = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
  });

  afterAll(async () => {
    await ingestB?.close();
    for (const name of ['ingest', 'killswitch', 'escalation', 'guardrail', 'audit'] as const)
      await svc[name]?.close();
    await db?.end();
    await dropTestDatabase(DB);
    rmSync(work, { recursive: true, force: true });
  });

  describe('help and usage', () => {
    const commands = [
      [],
      ['policy'],
      ['policy', 'apply'],
      ['policy', 'list'],
      ['policy', 'test'],
      ['context'],
      ['context', 'import'],
      ['agents'],
      ['agents', 'register'],
      ['agents', 'list'],
      ['agents', 'scopes'],
      ['agents', 'rotate-key'],
      ['killswitch'],
      ['killswitch', 'flip'],
      ['killswitch', 'release'],
      ['killswitch', 'list'],
      ['killswitch', 'history'],
      ['escalation'],
      ['escalation', 'list'],
      ['escalation', 'claim'],
      ['escalation', 'approve'],
      ['escalation', 'reject'],
      ['escalation', 'comment'],
      ['audit'],
      ['audit', 'verify'],
      ['audit', 'query'],
      ['audit', 'export'],
    ];

    it('every command has --help (exit 0) with a description and --output among its options', async () => {
      const results = await Promise.all(commands.map((c) => cli([...c, '--help'])));
      results.forEach((r, i) => {
        const out = ok(r);
        expect(out).toContain(`Usage: ${['agentops', ...commands[i]].join(' ')}`);
        // commander prints the description as the paragraph after the usage line
        const description = out.split('\n\n')[1] ?? '';
        expect({ command: commands[i].join(' '), description: description.trim().length > 10 }).toEqual({
          command: commands[i].join(' '),
          description: true,
        });
      });
      expect(ok(await cli(['--help']))).toMatch(/--output <format>/);
      // the groups list their commands, and the CLI lists every group
      expect(ok(results[0])).toMatch(
        /policy[\s\S]*context[\s\S]*agents[\s\S]*escalation[\s\S]*killswitch[\s\S]*audit/,
      );
      expect(ok(await cli(['help', 'audit']))).toMatch(/verify[\s\S]*query[\s\S]*export/);
    });

    it('usage mistakes are one line and exit 1, never the help text', async () => {
      oneLineError(
        await cli(['audit', 'query', '--bogus']),
        /^agentops: unknown option '--bogus' \(see agentops audit query --help\)$/,
      );
      oneLineError(await cli(['agents', 'rotate-key']), /^agentops: missing required argument 'agentId'/);
      oneLineError(await cli(['agents', 'rotate-key', 'x', '--grace', '90000']), /--grace.*0 to 86400/);
      oneLineError(
        await cli(['killswitch', 'flip', '--agent', 'x']),
        /required option '--reason <text>' not specified/,
      );
      oneLineError(
        await cli(['audit', 'query', '--verdict', 'perhaps']),
        /Allowed choices are allow, deny, escalate, modify/,
      );
      oneLineError(await cli(['audit', 'query', '--from', 'yesterday']), /--from <time>.*is invalid/);
      oneLineError(await cli(['audit']), /^agentops: missing command after 'audit': verify, query, export/);
      oneLineError(await cli(['polcy']), /^agentops: unknown command 'polcy'/);
      oneLineError(await cli([]), /^agentops: missing command: policy, context/);
      const asJson = await cli(['-o', 'json', 'audit', 'query', '--bogus']);
      oneLineError(asJson, /^\{/);
      expect(JSON.parse(asJson.stderr)).toEqual({ error: "unknown option '--bogus'", usage: true });
    });

    it('a missing token, a bad token and an unreachable service are one line each', async () => {
      oneLineError(
        await cli(['policy', 'list'], { token: null }),
        /^agentops: no token: .*pass --token or set AGENTOPS_TOKEN$/,
      );
      oneLineError(
        await cli(['policy', 'list'], { token: 'not-a-token' }),
        /^agentops: HTTP 401: invalid or expired token$/,
      );
      // --token wins over the environment
      expect(
        json(await cli(['--token', TEST_OPERATOR_TOKEN, '-o', 'json', 'policy', 'list'], { token: 'x' })),
      ).toHaveProperty('baseline.policies');
      oneLineError(
        await cli(['killswitch', 'list'], {
          env: { AGENTOPS_KILLSWITCH_URL: `http://127.0.0.1:${closedPort}` },
        }),
        new RegExp(
          `^agentops: cannot reach http://127.0.0.1:${closedPort}: ECONNREFUSED; is the killswitch service running\\? \\(AGENTOPS_KILLSWITCH_URL\\)$`,
        ),
      );
      const unreachable = await cli(['-o', 'json', 'audit', 'verify'], {
        env: { AGENTOPS_AUDIT_URL: `http://127.0.0.1:${closedPort}` },
      });
      oneLineError(unreachable, /^\{/);
      expect(JSON.parse(unreachable.stderr).error).toMatch(/cannot reach .* audit service/);
    });
  });

  describe('policy and context', () => {
    let policyDir: string;

    beforeAll(() => {
      policyDir = join(work, 'policies');
      mkdirSync(policyDir);
      writeFileSync(join(policyDir, 'price-floor.yaml'), FLOOR_POLICY);
      writeFileSync(join(policyDir, 'low-confidence.yaml'), LOW_CONFIDENCE);
    });

    it('policy apply activates the folder as one set; policy list shows it', async () => {
      const applied = ok(await cli(['policy', 'apply', policyDir]));
      const version =
        /^activated policy set (\S+) \(2 policies, 0 in shadow mode\) as the platform baseline$/.exec(
          applied.trim(),
        )?.[1];
      expect(version).toBeDefined();
      const listed = json<{ baseline: { version: string; policies: { id: string; mode: string }[] } }>(
        await cli(['-o', 'json', 'policy', 'list']),
      );
      expect(listed.baseline.version).toBe(version);
      expect(listed.baseline.policies.map((p) => p.id).sort()).toEqual(['low-confidence', 'price-floor']);
      const text = ok(await cli(['policy', 'list']));
      expect(text).toMatch(new RegExp(`^baseline policy set ${version}\\n`));
      expect(text).toMatch(/^ {2}low-confidence@1 +enforce +low-confidence\.yaml$/m);
      expect(text).toMatch(/^ {2}price-floor@1 +enforce +price-floor\.yaml$/m);
    });

    it('policy apply of an invalid set: HTTP 422 on one line naming file:line:column; the active set stays', async () => {
      const before = json<{ baseline: { version: string } }>(await cli(['-o', 'json', 'policy', 'list']))
        .baseline.version;
      const broken = join(work, 'broken-policies');
      mkdirSync(broken);
      writeFileSync(join(broken, 'floor.yaml'), FLOOR_POLICY.replace('item.floorPrice', 'item.floorPrize'));
      oneLineError(
        await cli(['policy', 'apply', broken]),
        /^agentops: HTTP 422: policy set rejected.*floor\.yaml:\d+:\d+/,
      );
      const asJson = await cli(['policy', 'apply', broken, '--output', 'json']);
      oneLineError(asJson, /^\{/);
      expect(JSON.parse(asJson.stderr)).toMatchObject({ status: 422 });
      expect(
        json<{ baseline: { version: string } }>(await cli(['-o', 'json', 'policy', 'list'])).baseline.version,
      ).toBe(before);
    });

    it('a tenant’s policy-admin applies its tenant’s set with --tenant, never the baseline nor another tenant’s', async () => {
      const policyAdmin = await mintUserToken(
        { userId: 'pat', tenantId: TENANT, roles: ['policy-admin'] },
        TEST_TOKEN_SIGNER,
      );
      const baseline = json<{ baseline: { version: string } }>(await cli(['-o', 'json', 'policy', 'list']))
        .baseline.version;
      oneLineError(
        await cli(['policy', 'apply', policyDir], { token: policyAdmin }),
        /^agentops: HTTP 403: the platform baseline is applied by platform-wide principals only/,
      );
      oneLineError(
        await cli(['policy', 'apply', policyDir, '--tenant', OTHER], { token: policyAdmin }),
        new RegExp(`^agentops: HTTP 403: no access to tenant ${OTHER}$`),
      );
      oneLineError(
        await cli(['policy', 'apply', policyDir, '--tenant', TENANT, '--baseline']),
        /^agentops: --tenant and --baseline exclude each other \(see agentops policy apply --help\)$/,
      );
      const house = join(work, 'house-policies');
      mkdirSync(house);
      writeFileSync(
        join(house, 'house.yaml'),
        LOW_CONFIDENCE.replace('name: low-confidence', 'name: house-confidence').replace(
          'actions: ["*"]',
          'actions: ["shopping.recommend"]',
        ),
      );
      const applied = ok(await cli(['policy', 'apply', house, '--tenant', TENANT], { token: policyAdmin }));
      const version = new RegExp(
        `^activated policy set (\\S+) \\(1 policies, 0 in shadow mode\\) as tenant ${TENANT}'s set$`,
      ).exec(applied.trim())?.[1];
      expect(version).toBeDefined();
      const text = ok(await cli(['policy', 'list'], { token: policyAdmin }));
      expect(text).toMatch(new RegExp(`^baseline policy set ${baseline}\\n`));
      expect(text).toMatch(
        new RegExp(`^tenant ${TENANT} policy set ${version}\\n {2}house-confidence@1 `, 'm'),
      );
      // The operator sees which tenants have sets; the baseline is unchanged.
      expect(ok(await cli(['policy', 'list']))).toMatch(
        new RegExp(`^tenant ${TENANT} policy set ${version} \\(1 policies\\)$`, 'm'),
      );
      expect(
        json<{ baseline: { version: string } }>(await cli(['-o', 'json', 'policy', 'list'])).baseline.version,
      ).toBe(baseline);
    });

    it('policy test runs fixtures offline: the shipped pack passes, a broken folder fails', async () => {
      const text = ok(await cli(['policy', 'test', 'policies/retail'], { token: null }));
      expect(text).toMatch(/^PASS: (\d+)\/\1 cases passed, 0 failed/m);
      const report = json<{ ok: boolean; passed: number; failed: number; cases: unknown[] }>(
        await cli(['-o', 'json', 'policy', 'test', 'policies/retail', '--filter', 'refund'], { token: null }),
      );
      expect(report).toMatchObject({ ok: true, failed: 0 });
      expect(report.cases.length).toBeGreaterThan(0);
      expect(report.passed).toBe(report.cases.length);
      const house = ok(
        await cli(['policy', 'test', 'policies/tenants/maison-demo', '--baseline', 'policies/retail'], {
          token: null,
        }),
      );
      expect(house).toMatch(
        /^PASS: (\d+)\/\1 cases passed, 0 failed — 2 policies, set \w+ over baseline \w+/m,
      );
      const broken = join(work, 'broken-policies');
      const failed = await cli(['policy', 'test', broken], { token: null });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/does not compile/);
      oneLineError(failed, /^agentops: policy tests in .* failed$/);
      const failedJson = await cli(['-o', 'json', 'policy', 'test', broken], { token: null });
      expect(failedJson.code).toBe(1);
      expect(JSON.parse(failedJson.stdout)).toMatchObject({
        ok: false,
        problems: [expect.stringMatching(/floor\.yaml:\d+:\d+/)],
      });
    });

    it('context import loads the catalog and retail facts the policies read', async () => {
      const ctx = join(work, 'context');
      mkdirSync(ctx);
      writeFileSync(
        join(ctx, 'catalog.yaml'),
        'items:\n  - { sku: BAG-9, price: 2000, floorPrice: 1500, cost: 700, brand: Maison, category: bags }\n',
      );
      writeFileSync(join(ctx, 'retail.yaml'), 'competitors: ["Rival"]\nownBrands: ["Maison"]\n');
      expect(ok(await cli(['context', 'import', ctx, '--tenant', TENANT]))).toBe(
        'catalog: 1 items\nretail facts: version 1\n',
      );
      const again = json<{ catalog: { imported: number }; retailFacts: { version: number } }>(
        await cli(['-o', 'json', 'context', 'import', ctx, '--tenant', TENANT]),
      );
      expect(again).toMatchObject({ catalog: { imported: 1 }, retailFacts: { version: 2 } });
      oneLineError(await cli(['context', 'import', ctx]), /required option '--tenant <tenantId>'/);
      oneLineError(
        await cli(['context', 'import', work, '--tenant', TENANT]),
        /neither catalog\.yaml nor retail\.yaml/,
      );
    });
  });

  describe('agents', () => {
    let firstKey: string;

    it('agents register prints the key once; the agent may act with it (the imported floor applies)', async () => {
      const out = ok(
        await cli([
          'agents',
          'register',
          '--id',
          PRICING_AGENT,
          '--tenant',
          TENANT,
          '--role',
          'pricing',
          '--owner-team',
          'pricing',
        ]),
      );
      expect(out).toMatch(new RegExp(`^registered ${PRICING_AGENT}\\n`));
      firstKey = keyFrom(out);
      const allowed = await propose(firstKey, priceIntent('BAG-9', 1900));
      expect(allowed).toMatchObject({ status: 200, body: { decision: { verdict: 'allow' } } });
      const denied = await propose(firstKey, priceIntent('BAG-9', 1000));
      expect(denied.body.decision?.verdict).toBe('deny');
      expect(denied.body.decision?.reasons).toContainEqual(
        expect.objectContaining({
          policyId: 'price-floor',
          message: 'price 1000 is below the floor 1500 of BAG-9',
        }),
      );

      const second = json<{ agent: { id: string; tenantId: string }; apiKey: string }>(
        await cli([
          '-o',
          'json',
          'agents',
          'register',
          '--id',
          REVIEW_AGENT,
          '--tenant',
          TENANT,
          '--role',
          'pricing',
        ]),
      );
      expect(second.agent).toMatchObject({ id: REVIEW_AGENT, tenantId: TENANT });
      expect(second.apiKey).toMatch(/^aok_/);
      reviewKey = second.apiKey;
      oneLineError(
        await cli(['agents', 'register', '--id', 'x', '--tenant', TENANT, '--role', 'astronaut']),
        /^agentops: HTTP 400: role: /,
      );
    });

    it('agents list shows the tenant’s agents', async () => {
      const text = ok(await cli(['agents', 'list', '--tenant', TENANT]));
      expect(text).toContain(`${PRICING_AGENT}  ${TENANT}  pricing  v1.0.0  eu-west`);
      const listed = json<{ agents: { id: string }[] }>(
        await cli(['-o', 'json', 'agents', 'list', '--tenant', TENANT]),
      );
      expect(listed.agents.map((a) => a.id).sort()).toEqual([PRICING_AGENT, REVIEW_AGENT].sort());
      expect(ok(await cli(['agents', 'list', '--tenant', OTHER]))).toBe('(no agents)\n');
      // One page says there is more and how to get it; --all follows `next` to the end.
      const first = json<{ agents: { id: string }[]; next: string | null }>(
        await cli(['-o', 'json', 'agents', 'list', '--tenant', TENANT, '--limit', '1']),
      );
      expect([first.agents.length, first.next]).toEqual([1, expect.any(String)]);
      expect(ok(await cli(['agents', 'list', '--tenant', TENANT, '--limit', '1']))).toMatch(
        /\n\(more: --cursor \S+, or --all for every page\)\n$/,
      );
      const every = json<{ agents: { id: string }[]; next: string | null }>(
        await cli(['-o', 'json', 'agents', 'list', '--tenant', TENANT, '--limit', '1', '--all']),
      );
      expect([every.agents.map((a) => a.id), every.next]).toEqual([listed.agents.map((a) => a.id), null]);
    });

    it('agents scopes narrows what the agent may do, and --reset restores the role defaults', async () => {
      expect(ok(await cli(['agents', 'scopes', PRICING_AGENT, '--actions', 'pricing.set_discount']))).toBe(
        `scopes of ${PRICING_AGENT} set\n`,
      );
      const outside = await propose(firstKey, priceIntent('BAG-9', 1900));
      expect(outside.body.decision).toMatchObject({ verdict: 'deny', decidedBy: 'permissions' });
      const reset = json<{ agent: { id: string; scopes?: unknown } }>(
        await cli(['-o', 'json', 'agents', 'scopes', PRICING_AGENT, '--reset']),
      );
      expect(reset.agent.id).toBe(PRICING_AGENT);
      expect(reset.agent.scopes).toBeUndefined();
      expect((await propose(firstKey, priceIntent('BAG-9', 1900))).body.decision?.verdict).toBe('allow');
      oneLineError(await cli(['agents', 'scopes', PRICING_AGENT]), /--actions is required unless --reset/);
      oneLineError(
        await cli(['agents', 'scopes', 'nobody', '--reset']),
        /^agentops: HTTP 404: unknown agent nobody$/,
      );
    });

    it('agents rotate-key --grace: the old key keeps working until the grace ends, the new one works at once', async () => {
      const rotated = json<{
        agent: { id: string };
        apiKey: string;
        keyId: string;
        previousKeysExpireAt: string;
      }>(await cli(['-o', 'json', 'agents', 'rotate-key', PRICING_AGENT, '--grace', '600']));
      expect(rotated.agent.id).toBe(PRICING_AGENT);
      expect(rotated.apiKey.startsWith(`aok_${rotated.keyId}_`)).toBe(true);
      const [{ expires_at: expiresAt }] = (
        await db.query(
          `SELECT expires_at FROM ingest.api_keys WHERE agent_id = $1 AND expires_at IS NOT NULL`,
          [PRICING_AGENT],
        )
      ).rows;
      expect(new Date(rotated.previousKeysExpireAt).getTime()).toBe((expiresAt as Date).getTime());
      expect((await propose(firstKey, priceIntent('BAG-9', 1900))).status).toBe(200);
      expect((await propose(rotated.apiKey, priceIntent('BAG-9', 1900))).status).toBe(200);
      graceKey = rotated.apiKey;
    });

    it('agents rotate-key: every previous key is refused at once (even one just cached), the new key is accepted', async () => {
      // both keys were just used, so both sit in ingest's authentication cache
      const out = ok(await cli(['agents', 'rotate-key', PRICING_AGENT]));
      expect(out).toMatch(
        new RegExp(`^rotated the key of ${PRICING_AGENT}: new key \\w+\\nprevious keys: revoked now\\n`),
      );
      currentKey = keyFrom(out);
      for (const old of [firstKey, graceKey]) {
        const refused = await propose(old, priceIntent('BAG-9', 1900));
        expect(refused).toMatchObject({ status: 401, body: { message: 'invalid API key' } });
      }
      expect(await propose(currentKey, priceIntent('BAG-9', 1900))).toMatchObject({
        status: 200,
        body: { decision: { verdict: 'allow' } },
      });
    });

    it('a rotation through one ingest instance reaches the cache of another', async () => {
      ingestB = await bootService('ingest', serviceEnv());
      const onB = (key: string) =>
        fetch(`${ingestB!.url}/v1/intents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify(priceIntent('BAG-9', 1900)),
        }).then((r) => r.status);
      expect(await onB(currentKey)).toBe(202); // now cached on B
      const out = ok(await cli(['agents', 'rotate-key', PRICING_AGENT])); // served by the first instance
      const newest = keyFrom(out);
      // B's cache would keep the key for 30 s; the retirement notice clears it well before
      await eventually(
        async () => (await onB(currentKey)) === 401,
        5000,
        'instance B to refuse the retired key',
      );
      expect(await onB(newest)).toBe(202);
      currentKey = newest;
    });

    it('a key retired with a grace period stops working when the grace ends, cached or not', async () => {
      expect((await propose(currentKey, priceIntent('BAG-9', 1900))).status).toBe(200); // cached
      const out = ok(await cli(['agents', 'rotate-key', PRICING_AGENT, '--grace', '1']));
      expect(out).toMatch(/^previous keys: keep working until \S+Z$/m);
      const newest = keyFrom(out);
      await eventually(
        async () => (await propose(currentKey, priceIntent('BAG-9', 1900))).status === 401,
        15_000,
        'the retired key to expire',
      );
      expect((await propose(newest, priceIntent('BAG-9', 1900))).status).toBe(200);
      currentKey = newest;
    });

    it('agents rotate-key refuses an unknown agent (404), a bad grace (400) and non-admins (403)', async () => {
      oneLineError(
        await cli(['agents', 'rotate-key', 'nobody']),
        /^agentops: HTTP 404: unknown agent nobody$/,
      );
      oneLineError(
        await cli(['agents', 'rotate-key', PRICING_AGENT], { token: tokens.sre }),
        /^agentops: HTTP 403: requires one of the roles: admin$/,
      );
      const res = await fetch(`${svc.ingest!.url}/v1/agents/${PRICING_AGENT}/keys/rotate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
        body: JSON.stringify({ graceSeconds: 86_401 }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ issues: [{ path: 'graceSeconds' }] });
      // nothing changed: the current key still works
      expect((await propose(currentKey, priceIntent('BAG-9', 1900))).status).toBe(200);
    });
  });

  describe('killswitch', () => {
    let switchId: string;

    it('a reviewer may not flip: HTTP 403 on one line', async () => {
      oneLineError(
        await cli(['killswitch', 'flip', '--agent', PRICING_AGENT, '--reason', 'x'], {
          token: tokens.reviewer,
        }),
        /^agentops: HTTP 403: requires one of the roles: sre$/,
      );
    });

    it('killswitch flip halts the cohort: the agent is denied by the switch', async () => {
      const flipped = json<{ id: string; state: string; selector: Record<string, string>; actor: string }>(
        await cli(
          [
            '-o',
            'json',
            'killswitch',
            'flip',
            '--agent',
            PRICING_AGENT,
            '--reason',
            'cli test',
            '--ticket',
            'INC-8',
            '--ttl',
            '3600',
          ],
          { token: tokens.sre },
        ),
      );
      expect(flipped).toMatchObject({
        state: 'active',
        selector: { agentId: PRICING_AGENT, tenantId: TENANT },
        actor: 'user:sam-sre',
      });
      switchId = flipped.id;
      const denied = await eventually(async () => {
        const r = await propose(currentKey, priceIntent('BAG-9', 1900));
        return r.body.decision?.decidedBy === 'killswitch' ? r : undefined;
      });
      expect(denied.body.decision?.verdict).toBe('deny');
    });

    it('killswitch list shows it (text and JSON)', async () => {
      expect(ok(await cli(['killswitch', 'list'], { token: tokens.sre }))).toMatch(
        new RegExp(`${switchId}  active .* by user:sam-sre  \\[INC-8\\]  until .*— cli test`),
      );
      const listed = json<{ switches: { id: string }[] }>(await cli(['-o', 'json', 'killswitch', 'list']));
      expect(listed.switches.map((s) => s.id)).toContain(switchId);
    });

    it('killswitch release lets the agent act again; history has both changes', async () => {
      expect(
        ok(await cli(['killswitch', 'release', switchId, '--reason', 'fixed'], { token: tokens.sre })),
      ).toMatch(new RegExp(`^released ${switchId}  released`));
      await eventually(
        async () =>
          (await propose(currentKey, priceIntent('BAG-9', 1900))).body.decision?.verdict === 'allow',
      );
      const history = json<{ history: { switchId: string; state: string; reason: string }[] }>(
        await cli(['-o', 'json', 'killswitch', 'history', switchId], { token: tokens.sre }),
      );
      expect(history.history.map((h) => [h.state, h.reason])).toEqual([
        ['released', 'fixed'],
        ['active', 'cli test'],
      ]);
      expect(ok(await cli(['killswitch', 'history']))).toMatch(
        new RegExp(`${switchId}  released  user:sam-sre  — fixed`),
      );
      expect(ok(await cli(['killswitch', 'list']))).not.toContain(switchId);
      expect(ok(await cli(['killswitch', 'list', '--released']))).toContain(switchId);
      oneLineError(
        await cli(['killswitch', 'release', '00000000-0000-4000-8000-000000000000'], { token: tokens.sre }),
        /^agentops: HTTP 404: /,
      );
    });
  });

  describe('escalation', () => {
    const tasks: Record<'approve' | 'reject' | 'four' | 'comment', { taskId: string; intentId: string }> =
      {} as never;

    beforeAll(async () => {
      for (const [name, price] of [
        ['approve', 1800],
        ['reject', 1700],
        ['comment', 1650],
      ] as const) {
        const sent = await propose(reviewKey, { ...priceIntent('BAG-9', price), confidence: 0.3 }, false);
        expect(sent.status).toBe(202);
        tasks[name] = { taskId: '', intentId: sent.body.intentId };
      }
    });

    it('escalation list shows the open tasks the low-confidence intents opened', async () => {
      const listed = await eventually(async () => {
        const r = json<{ tasks: { id: string; intentId: string; status: string }[] }>(
          await cli(['-o', 'json', 'escalation', 'list', '--agent', REVIEW_AGENT], {
            token: tokens.reviewer,
          }),
        );
        return r.tasks.length === 3 ? r : undefined;
      });
      for (const name of ['approve', 'reject', 'comment'] as const) {
        const task = listed.tasks.find((t) => t.intentId === tasks[name].intentId);
        expect(task?.status).toBe('open');
        tasks[name].taskId = task!.id;
      }
      const text = ok(await cli(['escalation', 'list', '--agent', REVIEW_AGENT], { token: tokens.reviewer }));
      expect(text).toContain(
        `${tasks.approve.taskId}  open     pricing.set_price on BAG-9 by ${REVIEW_AGENT}  route default → reviewers`,
      );
      expect(text).toContain('low-confidence: agent is not confident enough');
      // another tenant's reviewer sees none of them
      expect(
        ok(await cli(['escalation', 'list', '--agent', REVIEW_AGENT], { token: tokens.otherReviewer })),
      ).toBe('(no tasks)\n');
    });

    it('claim, comment and approve: the agent gets allow, decided by a human', async () => {
      const { taskId, intentId } = tasks.approve;
      expect(ok(await cli(['escalation', 'claim', taskId], { token: tokens.reviewer }))).toBe(
        `claimed ${taskId}\n`,
      );
      const commented = json<{ comments: { by: string; text: string }[] }>(
        await cli(['-o', 'json', 'escalation', 'comment', taskId, 'checked the competitor price'], {
          token: tokens.reviewer,
        }),
      );
      expect(commented.comments).toEqual([
        expect.objectContaining({ by: 'alice', text: 'checked the competitor price' }),
      ]);
      expect(
        ok(await cli(['escalation', 'approve', taskId, '--comment', 'fine'], { token: tokens.reviewer })),
      ).toBe(`${taskId} approved\n`);
      const final = await eventually(async () => {
        const d = await decisionOf(reviewKey, intentId);
        return d.status === 'decided' ? d : undefined;
      });
      expect(final.decision).toMatchObject({ verdict: 'allow', decidedBy: 'human' });
      oneLineError(
        await cli(['escalation', 'approve', taskId], { token: tokens.reviewer2 }),
        /^agentops: HTTP 409: /,
      );
    });

    it('reject: the agent gets deny, decided by a human', async () => {
      const { taskId, intentId } = tasks.reject;
      const rejected = json<{ status: string; resolution: string }>(
        await cli(['-o', 'json', 'escalation', 'reject', taskId, '--comment', 'too low'], {
          token: tokens.reviewer2,
        }),
      );
      expect(rejected).toMatchObject({ status: 'resolved', resolution: 'rejected' });
      const final = await eventually(async () => {
        const d = await decisionOf(reviewKey, intentId);
        return d.status === 'decided' ? d : undefined;
      });
      expect(final.decision).toMatchObject({ verdict: 'deny', decidedBy: 'human' });
    });

    it('comment leaves a task open; a bad --params and an unknown task are one line', async () => {
      const { taskId } = tasks.comment;
      expect(
        ok(await cli(['escalation', 'comment', taskId, 'waiting for the buyer'], { token: tokens.reviewer })),
      ).toBe(`commented on ${taskId}\n`);
      const open = json<{ tasks: { id: string }[] }>(
        await cli(['-o', 'json', 'escalation', 'list', '--agent', REVIEW_AGENT], { token: tokens.reviewer }),
      );
      expect(open.tasks.map((t) => t.id)).toEqual([taskId]);
      oneLineError(
        await cli(['escalation', 'approve', taskId, '--params', '[1,2]'], { token: tokens.reviewer }),
        /--params must be a JSON object/,
      );
      oneLineError(
        await cli(['escalation', 'claim', '00000000-0000-4000-8000-000000000000'], {
          token: tokens.reviewer,
        }),
        /^agentops: HTTP 404: /,
      );
      oneLineError(
        await cli(['escalation', 'list', '--status', 'closed'], { token: tokens.reviewer }),
        /Allowed choices are open, resolved/,
      );
    });
  });

  describe('audit', () => {
    type Records = {
      records: {
        eventId: string;
        agentId: string | null;
        type: string;
        decidedBy: string | null;
        chainId: string;
      }[];
      next: string | null;
    };

    it('audit query filters records, pages with --limit and follows cursors with --all', async () => {
      // the pricing agent's story so far: several intents, decisions (one by the kill switch), outcomes of none
      const all = await settled(
        async () =>
          json<Records>(
            await cli(['-o', 'json', 'audit', 'query', '--agent', PRICING_AGENT, '--all', '--limit', '3'], {
              token: tokens.auditor,
            }),
          ),
        (r) => r.records.some((x) => x.decidedBy === 'killswitch') && r.records.length >= 12,
        'the pricing agent’s audit records',
      );
      expect(all.next).toBeNull();
      expect(new Set(all.records.map((r) => r.eventId)).size).toBe(all.records.length);
      expect(all.records.every((r) => r.agentId === PRICING_AGENT)).toBe(true);

      const page = json<Records>(
        await cli(['-o', 'json', 'audit', 'query', '--agent', PRICING_AGENT, '--limit', '3'], {
          token: tokens.auditor,
        }),
      );
      expect(page.records).toEqual(all.records.slice(0, 3));
      expect(page.next).toEqual(expect.any(String));
      const next = json<Records>(
        await cli(
          ['-o', 'json', 'audit', 'query', '--agent', PRICING_AGENT, '--limit', '3', '--cursor', page.next!],
          { token: tokens.auditor },
        ),
      );
      expect(next.records).toEqual(all.records.slice(3, 6));

      const byKillswitch = json<Records>(
        await cli(
          [
            '-o',
            'json',
            'audit',
            'query',
            '--agent',
            PRICING_AGENT,
            '--decided-by',
            'killswitch',
            '--verdict',
            'deny',
            '--from',
            '1h',
          ],
          { token: tokens.auditor },
        ),
      );
      expect(byKillswitch.records.length).toBeGreaterThan(0);
      expect(byKillswitch.records.every((r) => r.decidedBy === 'killswitch')).toBe(true);
      const future = json<Records>(
        await cli(['-o', 'json', 'audit', 'query', '--agent', PRICING_AGENT, '--from', '2999-01-01']),
      );
      expect(future.records).toEqual([]);

      const table = ok(
        await cli(['audit', 'query', '--agent', PRICING_AGENT, '--decided-by', 'killswitch'], {
          token: tokens.auditor,
        }),
      );
      const lines = table.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^RECORDED\s+TYPE\s+TENANT\s+AGENT\s+ACTION\s+VERDICT\s+DECIDED BY\s+ACTOR\s+EVENT$/,
      );
      expect(lines[1]).toMatch(
        new RegExp(
          `intent.decided\\s+${TENANT}\\s+${PRICING_AGENT}\\s+pricing.set_price\\s+deny\\s+killswitch`,
        ),
      );
      expect(lines[lines.length - 1]).toBe(`${byKillswitch.records.length} record(s)`);
    });

    it('audit query keeps tenants apart and reports a bad filter on one line', async () => {
      oneLineError(
        await cli(['audit', 'query', '--tenant', TENANT], { token: tokens.otherAuditor }),
        /^agentops: HTTP 403: no access to tenant maison-cli$/,
      );
      expect(
        ok(await cli(['audit', 'query', '--agent', PRICING_AGENT], { token: tokens.otherAuditor })),
      ).toBe('(no records)\n');
      oneLineError(
        await cli(['audit', 'query', '--correlation', 'not-a-uuid']),
        /^agentops: HTTP 400: correlationId: /,
      );
      oneLineError(
        await cli(['audit', 'query'], { token: tokens.reviewer }),
        /^agentops: HTTP 403: requires one of the roles: auditor$/,
      );
    });

    it('audit export streams every matching record as NDJSON, to stdout or to a file', async () => {
      const filter = ['--agent', PRICING_AGENT];
      const { query, stdout } = await eventually(async () => {
        const q = json<Records>(
          await cli(['-o', 'json', 'audit', 'query', ...filter, '--all'], { token: tokens.auditor }),
        );
        const out = ok(await cli(['audit', 'export', ...filter], { token: tokens.auditor }));
        return out.trimEnd().split('\n').length === q.records.length ? { query: q, stdout: out } : undefined;
      });
      const lines = stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { eventId: string });
      expect(lines.map((l) => l.eventId)).toEqual(query.records.map((r) => r.eventId));

      const file = join(work, 'export.ndjson');
      const summary = json<{ file: string; records: number }>(
        await cli(['-o', 'json', 'audit', 'export', ...filter, '--out', file], { token: tokens.auditor }),
      );
      expect(summary.file).toBe(file);
      const written = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(written.length).toBe(summary.records);
      expect(summary.records).toBeGreaterThanOrEqual(lines.length);
      expect(existsSync(`${file}.partial`)).toBe(false);
      expect(ok(await cli(['audit', 'export', ...filter, '--out', file], { token: tokens.auditor }))).toMatch(
        new RegExp(`^exported \\d+ record\\(s\\) to ${escape(file)}\\n$`),
      );
      oneLineError(
        await cli(['audit', 'export', '--cursor', 'garbage']),
        /^agentops: HTTP 400: cursor: invalid cursor \(pass back the `next` of a previous page\)$/,
      );
    });

    it('audit verify passes on an intact store', async () => {
      expect(ok(await cli(['audit', 'verify'], { token: tokens.auditor }))).toMatch(
        /^verified: \d+ chain\(s\), \d+ record\(s\)/m,
      );
      const report = json<{ ok: boolean; chains: { chainId: string; ok: boolean }[] }>(
        await cli(['-o', 'json', 'audit', 'verify']),
      );
      expect(report.ok).toBe(true);
      expect(report.chains.length).toBeGreaterThan(0);
      expect(ok(await cli(['audit', 'verify', '--verbose']))).toMatch(/^ok {6}agentops\./m);
    });

    it('audit verify names the first broken record and exits 2 after a superuser tampers with one', async () => {
      const records = json<Records>(
        await cli([
          '-o',
          'json',
          'audit',
          'query',
          '--agent',
          PRICING_AGENT,
          '--type',
          'agentops.intent.proposed.v1',
          '--limit',
          '1',
        ]),
      );
      const victim = records.records[0];
      await db.query(`SET session_replication_role = replica`); // the superuser switches the triggers off
      const changed = await db.query(
        `UPDATE audit.records SET payload = jsonb_set(payload, '{params,price}', '1') WHERE event_id = $1`,
        [victim.eventId],
      );
      expect(changed.rowCount).toBe(1);

      const broken = await cli(['audit', 'verify', '--chain', victim.chainId], { token: tokens.auditor });
      expect(broken.code).toBe(2);
      expect(broken.stdout).toMatch(
        new RegExp(
          `^BROKEN  ${escape(victim.chainId)}.*\\n.*first broken record: sequence \\d+, event ${victim.eventId}: hash_mismatch`,
        ),
      );
      oneLineError(
        broken,
        new RegExp(
          `^agentops: audit chain ${escape(victim.chainId)} is broken at sequence \\d+ \\(event ${victim.eventId}\\): hash_mismatch`,
        ),
        2,
      );

      // Another tenant's auditor learns that and where the chain broke, not whose record it was.
      const foreign = await cli(['-o', 'json', 'audit', 'verify', '--chain', victim.chainId], {
        token: tokens.otherAuditor,
      });
      expect(foreign.code).toBe(2);
      expect(`${foreign.stdout}${foreign.stderr}`).not.toContain(victim.eventId);
      expect(JSON.parse(foreign.stdout)).toMatchObject({
        ok: false,
        firstFailure: { reason: 'hash_mismatch', detail: expect.stringContaining('another tenant') },
      });

      const all = await cli(['-o', 'json', 'audit', 'verify']);
      expect(all.code).toBe(2);
      expect(JSON.parse(all.stdout)).toMatchObject({
        ok: false,
        firstFailure: { eventId: victim.eventId, reason: 'hash_mismatch' },
      });
      oneLineError(all, /^\{"error":"audit chain .* is broken/, 2);
    });
  });
});
