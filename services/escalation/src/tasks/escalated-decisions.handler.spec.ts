import { escalateVerdict, escalationUnderTest, proposal } from '../testing/escalation-doubles';
import { EscalatedDecisionsHandler } from './escalated-decisions.handler';

describe('EscalatedDecisionsHandler', () => {
  const setup = () => {
    const esc = escalationUnderTest();
    return { ...esc, handler: new EscalatedDecisionsHandler(esc.workflow, 'agentops/escalation') };
  };

  it("opens a task on a policy's escalate verdict, and on nothing else", async () => {
    const { handler, workflow, db } = setup();
    const intent = proposal();
    await workflow.onIntents([intent]);
    const verdict = escalateVerdict(intent);
    await handler.onDecision({ ...verdict, data: { ...verdict.data, verdict: 'allow' } });
    await handler.onDecision({ ...verdict, data: { ...verdict.data, decidedBy: 'human' } });
    expect(db.taskOf(intent.data.intentId)).toBeUndefined();
    await handler.onDecision(verdict);
    expect(db.taskOf(intent.data.intentId)?.status).toBe('open');
  });

  it("closes the task on ingest's timeout deny, never on escalation's own timeout decision", async () => {
    const { handler, open, db } = setup();
    const task = await open();
    const timeout = escalateVerdict(proposal());
    const deny = {
      ...timeout.data,
      intentId: task.intent_id,
      verdict: 'deny' as const,
      decidedBy: 'timeout' as const,
    };
    await handler.onDecision({ ...timeout, source: 'agentops/escalation', data: deny });
    expect(db.task(task.id)?.status).toBe('open');
    await handler.onDecision({ ...timeout, source: 'agentops/ingest', data: deny });
    expect(db.task(task.id)).toMatchObject({ status: 'resolved', resolution: 'timed_out' });
  });
});
