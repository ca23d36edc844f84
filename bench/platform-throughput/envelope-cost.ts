/**
 * What ingest's wait path pays to build an intent.proposed event (issue #14.3): `createEvent`
 * (the whole IntentProposedV1 parsed again after the HTTP pipe parsed the proposal) against
 * `createEventFrom` (only ingest's added fields parsed), on the retail fixtures' intents, in
 * alternating rounds of one process. Prints µs per event and the ratio.
 *
 *   node dist/bench/platform-throughput/envelope-cost.js [--count 20000]
 */
import { EventTypes, IntentProposal, IntentProposedAdditions } from '@agentops/contracts';
import { createEvent, createEventFrom } from '@agentops/messaging';
import { resolve } from 'node:path';
import { caseIntent, loadFixtures } from '../../tools/policy/fixtures';
import { round2 } from '../shared/stats';
import { repositoryRoot } from '../shared/summary';

const count = Number(process.argv[process.argv.indexOf('--count') + 1]) || 20_000;
const cases = loadFixtures(resolve(repositoryRoot, 'policies/retail')).cases.map((c) => {
  const { agent, intent } = caseIntent(c);
  return { agent, proposal: IntentProposal.parse({ ...intent, confidence: intent.confidence ?? 0.9 }) };
});
const id = '6f1c1c1e-3c1b-4c59-9a53-3f0a8f9c2b10';
const ctx = { id, source: 'agentops/ingest', tenantid: 'maison', correlationid: id };
const added = (i: number) => ({
  intentId: id,
  agent: cases[i % cases.length].agent,
  proposedAt: new Date().toISOString(),
  decisionDeadline: new Date(Date.now() + 2000).toISOString(),
  idempotencyKey: `key-${i}`,
});

const ways = {
  'createEvent (whole event parsed again)': (i: number) =>
    createEvent(EventTypes.IntentProposed, { ...cases[i % cases.length].proposal, ...added(i) }, ctx),
  'createEventFrom (added fields only)': (i: number) =>
    createEventFrom(
      EventTypes.IntentProposed,
      cases[i % cases.length].proposal,
      { schema: IntentProposedAdditions, data: added(i) },
      ctx,
    ),
};
const best: Record<string, number> = {};
for (let round = 0; round < 5; round++)
  for (const [name, make] of Object.entries(ways)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) make(i);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / count;
    best[name] = Math.min(best[name] ?? Infinity, us);
  }
const [before, after] = Object.values(best);
for (const [name, us] of Object.entries(best))
  console.log(`${name}: ${round2(us)} µs per event (best of 5 rounds)`);
console.log(`ratio after/before: ${round2(after / before)}`);
