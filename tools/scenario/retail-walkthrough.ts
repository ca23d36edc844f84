import { IntentProposal } from '@agentops/contracts';

/**
 * The main job's scenario for the walking skeleton: two demo agents propose a handful of retail
 * actions through ingest, wait for their decisions, and we read the audit trail back.
 */
interface Step {
  label: string;
  agent: 'pricing' | 'shopping';
  intent: IntentProposal;
}

const price = (sku: string, value: number, why: string): IntentProposal => ({
  action: 'pricing.set_price',
  target: { type: 'sku', id: sku },
  params: { sku, price: value, currency: 'EUR' },
  confidence: 0.9,
  justification: why,
  dataUsed: [{ source: 'catalog', ref: sku, dataClasses: ['product'] }],
});

const steps: Step[] = [
  {
    label: 'seasonal markdown within the floor',
    agent: 'pricing',
    intent: price('MD-SCARF-014', 360, 'end of season markdown'),
  },
  {
    label: 'flagship bag priced below its floor',
    agent: 'pricing',
    intent: price('MD-BAG-001', 1450, 'match a grey-market listing'),
  },
  {
    label: 'race to the bottom on a watch',
    agent: 'pricing',
    intent: price('MD-WATCH-007', 5200, 'undercut competitor by 5%'),
  },
  {
    label: 'repricing a SKU the catalog does not know',
    agent: 'pricing',
    intent: price('MD-GHOST-999', 99, 'bulk repricing job for the spring collection'),
  },
  {
    label: 'shoe price increase',
    agent: 'pricing',
    intent: price('MD-SHOE-122', 820, 'demand above forecast'),
  },
  {
    label: 'recommend a scarf to a client',
    agent: 'shopping',
    intent: {
      action: 'shopping.recommend',
      target: { type: 'customer', id: 'cust-1042' },
      params: { sku: 'MD-SCARF-014', message: 'This silk scarf pairs well with your last purchase.' },
      confidence: 0.81,
      justification: 'purchase history and browsing',
      dataUsed: [{ source: 'crm', ref: 'cust-1042', dataClasses: ['purchase_history'], records: 12 }],
    },
  },
];

interface Decision {
  verdict: string;
  decidedBy: string;
  reasons: { policyId: string; message: string; effect: string; mode?: string }[];
}

/** The reason worth a line: the first enforced objection, else how many policies passed. */
function explain(decision: Decision): string {
  const enforced = decision.reasons.find((r) => r.effect !== 'allow' && r.mode !== 'shadow');
  if (enforced) return `${enforced.policyId}: ${enforced.message}`;
  const passed = decision.reasons.filter((r) => r.effect === 'allow').length;
  const shadow = decision.reasons.find((r) => r.mode === 'shadow');
  return `${passed} policies passed${shadow ? `; shadow ${shadow.policyId} would object` : ''}`;
}

async function main(): Promise<void> {
  const ingest = env('INGEST_URL', 'http://127.0.0.1:3001');
  const audit = env('AUDIT_URL', 'http://127.0.0.1:3005');
  // The demo's short-lived break-glass token (scripts/demo.sh).
  const operatorToken = env('AGENTOPS_TOKEN');
  const keys = JSON.parse(env('AGENTOPS_DEMO_AGENTS')) as Record<string, { apiKey: string }>;
  await releaseLeftoverSwitches(env('KILLSWITCH_URL', 'http://127.0.0.1:3004'), operatorToken);

  const rows: { step: string; verdict: string; by: string; why: string; intentId: string }[] = [];
  for (const step of steps) {
    // A generous wait: right after a (re)start the first decisions pay for warm-up.
    const res = await fetch(`${ingest}/v1/intents?wait=true&timeoutMs=8000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': keys[step.agent].apiKey },
      body: JSON.stringify(step.intent),
    });
    const body = (await res.json()) as {
      intentId: string;
      status?: string;
      decision?: Decision;
      escalation?: { taskId?: string; route?: string };
      message?: string;
    };
    if (!res.ok || !body.decision)
      throw new Error(`${step.label}: HTTP ${res.status} ${JSON.stringify(body)}`);
    rows.push({
      step: `${step.agent}: ${step.label}`,
      // Escalated: the agent is told it waits for a human (202), not denied.
      verdict:
        body.status === 'pending_review'
          ? `PENDING REVIEW (${body.escalation?.route ?? 'task'} ${body.escalation?.taskId?.slice(0, 8) ?? ''})`.trim()
          : body.decision.verdict.toUpperCase(),
      by: body.decision.decidedBy,
      why: explain(body.decision),
      intentId: body.intentId,
    });
  }

  console.log('\nDecisions');
  for (const { step, verdict, by, why } of rows)
    console.log(`  ${verdict.padEnd(7)} ${step} (by ${by})\n          ${why}`);

  // A decided intent leaves its proposal and its decision in the audit log; one refused at ingest
  // by a kill switch leaves the decision only (it never reached the intents topic).
  const expected = rows.reduce((n, r) => n + (r.by === 'killswitch' ? 1 : 2), 0);
  const deadline = Date.now() + 20_000;
  let recorded = 0;
  while (Date.now() < deadline) {
    recorded = 0;
    for (const r of rows) {
      const res = await fetch(`${audit}/v1/audit/records?correlationId=${r.intentId}`, {
        headers: { authorization: `Bearer ${operatorToken}` },
      });
      recorded += ((await res.json()) as { records: unknown[] }).records.length;
    }
    if (recorded >= expected) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const stats = (await (
    await fetch(`${audit}/v1/audit/stats`, { headers: { authorization: `Bearer ${operatorToken}` } })
  ).json()) as { records: number };
  const allowed = rows.filter((r) => r.verdict === 'ALLOW').length;
  const denied = rows.filter((r) => r.verdict === 'DENY').length;
  console.log(`\n${rows.length} intents: ${allowed} allowed, ${denied} denied`);
  console.log(
    `audit: ${recorded} records for these intents (expected ${expected}); ${stats.records} records in the audit store in all`,
  );
  if (recorded < expected || allowed === 0 || denied === 0) process.exit(1);
}

/** A demo rerun starts clean: switches a previous run's breakers flipped are released first. */
async function releaseLeftoverSwitches(killswitch: string, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const res = await fetch(`${killswitch}/v1/killswitches`, { headers });
  const { switches } = (await res.json()) as { switches: { id: string; tenantId: string; actor: string }[] };
  for (const s of switches.filter((x) => x.tenantId === 'maison-demo')) {
    await fetch(`${killswitch}/v1/killswitches/${s.id}/release`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'demo rerun: starting from a clean slate' }),
    });
    console.log(`released ${s.actor}'s switch ${s.id} left by an earlier run`);
  }
}

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

main().catch((error: Error) => {
  console.error(`scenario failed: ${error.message}`);
  process.exit(1);
});
