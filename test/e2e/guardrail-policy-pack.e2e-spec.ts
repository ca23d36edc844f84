import { EventTypes, IntentDecidedV1, Topics, topicName } from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId, silentLogger } from '@agentops/messaging';
import { COUNTER_DEFINITIONS } from '@agentops/policy';
import { RunningService } from '@agentops/service-runtime';
import type { Redis } from 'ioredis';
import { RetailFactsCache } from '../../services/guardrail/src/context/retail-facts';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { counterKey } from '../../services/guardrail/src/counters/rolling-counter-store';
import { GuardrailConfig } from '../../services/guardrail/src/config';
import { KnowledgeImport } from '../../services/guardrail/src/knowledge/knowledge-import';
import {
  FIXTURE_KB_VERSION,
  buildContext,
  caseIntent,
  checkCase,
  loadFixtures,
  loadPolicySources,
} from '../../tools/policy/fixtures';
import { principalKafka } from '../support/kafka-access';
import { knowledgeAt } from '../support/knowledge';
import { collectTopic } from '../support/kafka-probe';
import { applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { runPrefix } from '../support/test-env';

const PACK = 'policies/retail';

/**
 * The retail pack's fixture suite through the running guardrail: intents in on Kafka, decisions out
 * on Kafka, each checked against the case's expectations. Each case runs in its own tenant so
 * counters and catalog state never leak between cases.
 */
describe('retail policy pack through the running guardrail (Kafka in, Kafka out)', () => {
  let guardrail: RunningService;
  const suite = loadFixtures(PACK);
  const run = Date.now().toString(36);
  const tenantOf = (i: number) => `pack-${run}-${i}`;

  beforeAll(async () => {
    guardrail = await bootService('guardrail');
    const applied = await applyPolicySet(guardrail.url, loadPolicySources(PACK));
    expect(applied.status).toBe(201);
    const items = [...suite.catalog.values()];
    await guardrail.app
      .get(CatalogCache)
      .importCatalog(
        suite.cases.flatMap((_, i) =>
          items.map(({ found: _found, ...item }) => ({ ...item, tenantId: tenantOf(i) })),
        ),
      );
    const facts = guardrail.app.get(RetailFactsCache);
    for (let i = 0; i < suite.cases.length; i++) await facts.importFacts(tenantOf(i), suite.retail, 'test');
    // The fixtures' knowledge is version FIXTURE_KB_VERSION (cases cite older ones): import it that
    // many times, the earlier versions differing only in a freshness limit, its instants moved to now.
    // Only the knowledge cases' tenants get it: without a knowledge base the grounding policies pass,
    // which is what every other case was written for (policy-test runs them all with it too).
    const importer = guardrail.app.get(KnowledgeImport);
    const source = suite.knowledge!.source;
    const grounded = suite.cases.flatMap((c, i) => (c.file === 'fixtures/knowledge-cases.yaml' ? [i] : []));
    expect(grounded.length).toBeGreaterThan(0);
    await Promise.all(
      grounded.map(async (i) => {
        for (let v = 1; v <= FIXTURE_KB_VERSION; v++)
          await importer.import({
            tenantId: tenantOf(i),
            format: 'json',
            content: knowledgeAt(
              source,
              Date.now(),
              v < FIXTURE_KB_VERSION ? { freshness: { copy: v } } : {},
            ),
            force: false,
            importedBy: 'test',
          });
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await guardrail?.close();
  });

  it(`decides all ${suite.cases.length} fixture cases as expected`, async () => {
    expect(suite.cases.length).toBeGreaterThanOrEqual(60);
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    await decisions.ready;
    const redis = guardrail.parts.redis as Redis;
    const config = guardrail.parts.config as GuardrailConfig;
    // Intents come from ingest's principal, the only one the broker lets write them.
    const publisher = new EventPublisher(principalKafka('ingest', runPrefix()), runPrefix(), silentLogger);
    await publisher.connect();
    const sent = new Map<string, number>();

    for (let i = 0; i < suite.cases.length; i++) {
      const c = suite.cases[i];
      const { agent: base, intent } = caseIntent(c);
      // Broad scopes: this suite tests the pack; scopes have their own test.
      const agent = { ...base, tenantId: tenantOf(i), scopes: { actions: ['*'] } };
      await seedCounters(redis, config, agent, buildContext(suite, c));
      const intentId = newEventId();
      sent.set(intentId, i);
      await publisher.publish(
        createEvent(
          EventTypes.IntentProposed,
          { ...intent, intentId, agent, proposedAt: new Date().toISOString(), dataUsed: c.intent.dataUsed },
          {
            id: intentId,
            source: 'agentops/ingest',
            tenantid: agent.tenantId,
            agentid: agent.id,
            correlationid: intentId,
          },
        ),
        agent.id,
      );
    }

    const byIntent = await eventually(
      async () => {
        const found = new Map<string, IntentDecidedV1>();
        for (const m of decisions.messages) {
          if (m.headers['ce_type'] !== EventTypes.IntentDecided) continue;
          const d = JSON.parse(m.value) as IntentDecidedV1;
          if (sent.has(d.intentId)) found.set(d.intentId, d);
        }
        return found.size === sent.size ? found : undefined;
      },
      60_000,
      'a decision for every fixture intent',
    );
    await decisions.stop();
    await publisher.disconnect();

    const failures: string[] = [];
    for (const [intentId, i] of sent) {
      const decision = byIntent.get(intentId)!;
      const diffs =
        decision.decidedBy === 'policy'
          ? checkCase(suite.cases[i], decision)
          : [`decided by ${decision.decidedBy}: ${decision.reasons[0]?.message}`];
      if (diffs.length)
        failures.push(`${suite.cases[i].file} › ${suite.cases[i].name}\n  ${diffs.join('\n  ')}`);
    }
    expect(failures).toEqual([]);
  });
});

/** Puts a case's counter history into Redis, under the keys the guardrail reads. */
async function seedCounters(
  redis: Redis,
  config: GuardrailConfig,
  agent: ReturnType<typeof caseIntent>['agent'],
  ctx: ReturnType<typeof buildContext>,
) {
  const now = Date.now();
  for (const [name, value] of Object.entries(ctx.counters)) {
    const def = COUNTER_DEFINITIONS.find((d) => d.name === name);
    if (!def) throw new Error(`fixture uses unknown counter ${name}`);
    const scope = def.scope(agent, ctx.intent, ctx.item);
    if (!scope) throw new Error(`counter ${name} does not apply to ${ctx.intent.action}`);
    const key = counterKey(config, agent.tenantId, name, scope);
    const members =
      def.kind === 'count' ? Array.from({ length: value }, (_, k) => `seed-${k}`) : [`seed|${value}`];
    if (members.length) await redis.zadd(key, ...members.flatMap((m) => [now - 1000, m]));
  }
}
