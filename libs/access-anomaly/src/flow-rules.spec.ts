import {
  AccessStep,
  DEFAULT_FLOW_RULES,
  FlowRuleError,
  compileFlowRules,
  destinationListed,
  judgeEgress,
} from './flow-rules';

const MIN = 60_000;
const context = {
  agent: { id: 'svc-1', tenantId: 'maison', role: 'service', version: '1.0.0' },
  allowedDestinations: ['mail.maison.example', '*.crm.example'],
};
const read = (at: number, dataClasses: string[], records = 1): AccessStep => ({
  kind: 'read',
  at,
  source: 'crm.customers',
  dataClasses,
  records,
  destination: '',
  action: '',
});

describe('flow rules in CEL', () => {
  const rules = compileFlowRules(DEFAULT_FLOW_RULES);
  const now = 100 * MIN;

  it('denies an unlisted egress after a read of customer.pii within the window, naming the rule', () => {
    const v = judgeEgress(
      rules,
      [read(now - 10 * MIN, ['customer.pii.email'])],
      { destination: 'paste.example', dataClasses: [], records: 1 },
      context,
      now,
    );
    expect(v.verdict).toBe('deny');
    expect(v.rule?.id).toBe('pii-read-then-unlisted-egress');
    expect(v.rule?.window).toEqual({ startMs: now - 30 * MIN, endMs: now });
    expect(v.rule?.evidence).toBe(1);
  });

  it('allows the same egress to a listed destination, and after the window has passed', () => {
    const history = [read(now - 10 * MIN, ['customer.pii'])];
    expect(
      judgeEgress(
        rules,
        history,
        { destination: 'mail.maison.example', dataClasses: [], records: 1 },
        context,
        now,
      ).verdict,
    ).toBe('allow');
    expect(
      judgeEgress(
        rules,
        history,
        { destination: 'eu.crm.example', dataClasses: ['customer'], records: 1 },
        context,
        now,
      ).verdict,
    ).toBe('allow');
    const old = [read(now - 31 * MIN, ['customer.pii'])];
    expect(
      judgeEgress(rules, old, { destination: 'paste.example', dataClasses: [], records: 1 }, context, now)
        .verdict,
    ).toBe('allow');
  });

  it('does not show a rule steps from the future (a late clock)', () => {
    const v = judgeEgress(
      rules,
      [read(now + MIN, ['customer.pii'])],
      { destination: 'paste.example', dataClasses: [], records: 1 },
      context,
      now,
    );
    expect(v.verdict).toBe('allow');
  });

  it('denies after 20 customer reads in 30 minutes even without PII, not after 19', () => {
    const reads = (n: number) =>
      Array.from({ length: n }, (_, i) => read(now - 20 * MIN + i * 1000, ['customer']));
    const egress = { destination: 'paste.example', dataClasses: ['product'], records: 1 };
    expect(judgeEgress(rules, reads(19), egress, context, now).verdict).toBe('allow');
    const v = judgeEgress(rules, reads(20), egress, context, now);
    expect(v.rule?.id).toBe('bulk-customer-read-then-unlisted-egress');
  });

  it('denies an unlisted egress that itself carries customer data', () => {
    const v = judgeEgress(
      rules,
      [],
      { destination: 'paste.example', dataClasses: ['customer.order'], records: 3 },
      context,
      now,
    );
    expect(v.rule?.id).toBe('unlisted-egress-of-customer-data');
  });

  it('fails at compile time on a typo, a non-bool rule, a duplicate id or a bad window', () => {
    const base = { id: 'r', windowMs: MIN, message: 'm' };
    expect(() => compileFlowRules([{ ...base, when: "history.exists(e, e.knd == 'read')" }])).toThrow(
      FlowRuleError,
    );
    expect(() => compileFlowRules([{ ...base, when: 'egress.records' }])).toThrow('must evaluate to bool');
    expect(() =>
      compileFlowRules([
        { ...base, when: 'true' },
        { ...base, when: 'false' },
      ]),
    ).toThrow('defined twice');
    expect(() => compileFlowRules([{ ...base, windowMs: 0, when: 'true' }])).toThrow('windowMs');
  });

  it('lets a tenant write its own rule over intents and egress steps', () => {
    const [rule] = compileFlowRules([
      {
        id: 'export-after-refund',
        windowMs: 5 * MIN,
        when: "egress.action == 'service.send_message' && history.exists(e, e.kind == 'intent' && e.action == 'service.issue_refund' && e.agoMs < 120000.0)",
        message: 'a message right after a refund',
      },
    ]);
    const history: AccessStep[] = [
      {
        kind: 'intent',
        at: now - MIN,
        source: '',
        dataClasses: [],
        records: 0,
        destination: '',
        action: 'service.issue_refund',
      },
    ];
    const egress = {
      destination: 'mail.maison.example',
      dataClasses: [],
      records: 0,
      action: 'service.send_message',
    };
    expect(judgeEgress([rule], history, egress, context, now).verdict).toBe('deny');
    expect(judgeEgress([rule], history, { ...egress, action: undefined }, context, now).verdict).toBe(
      'allow',
    );
  });
});

describe('destinations and data classes', () => {
  it('matches exact destinations and *.suffix wildcards, case-insensitively', () => {
    expect(destinationListed('Mail.Maison.Example', ['mail.maison.example'])).toBe(true);
    expect(destinationListed('eu.crm.example', ['*.crm.example'])).toBe(true);
    expect(destinationListed('crm.example', ['*.crm.example'])).toBe(true);
    expect(destinationListed('evilcrm.example', ['*.crm.example'])).toBe(false);
    expect(destinationListed('x', [])).toBe(false);
  });
});
