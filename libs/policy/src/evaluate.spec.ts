import { UNKNOWN_ITEM, EvaluationContext } from './evaluation-context';
import { evaluatePolicySet } from './evaluate';
import { compilePolicySet, formatProblem } from './policy-set';

const floor = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: flagship-floor, version: "3" }
spec:
  match: { actions: ["pricing.*"] }
  validations:
    - expression: "!item.found || intent.params.price >= item.floorPrice"
      messageExpression: "'price ' + string(intent.params.price) + ' is below the floor ' + string(item.floorPrice)"
      effect: deny
`;
const confidence = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: low-confidence }
spec:
  match: { actions: ["*"] }
  validations:
    - expression: "intent.confidence >= 0.6"
      message: agent is not confident enough
      effect: escalate
`;
const cap = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: po-cap, version: "1" }
spec:
  match: { actions: ["inventory.create_purchase_order"], agents: { roles: [replenishment] } }
  variables:
    - name: ceiling
      expression: "item.velocity30d * 2.0"
  validations:
    - expression: "double(intent.params.quantity) <= variables.ceiling"
      message: quantity above twice the 30-day velocity
      effect: modify
      obligations:
        - { type: cap, field: quantity, max: "variables.ceiling" }
`;
const redact = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: outbound-pii, version: "1" }
spec:
  mode: enforce
  match: { actions: ["service.send_message"] }
  validations:
    - expression: "!containsPII(intent.params.message)"
      message: message carries personal data
      effect: modify
      obligations:
        - { type: redact, field: message, detector: pii, keep: "[intent.params.recipientEmail]" }
`;
const shadowDeny = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: strict-floor, version: "1" }
spec:
  mode: shadow
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "intent.params.price >= item.price * 0.9"
      message: more than 10% off
      effect: deny
`;

function set(...docs: string[]) {
  const result = compilePolicySet(docs.map((content, i) => ({ path: `p${i}.yaml`, content })));
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.set;
}

const agent = { id: 'a1', tenantId: 't1', role: 'pricing' as const, version: '1', region: 'eu', labels: {} };
const ctx = (
  over: Partial<EvaluationContext['intent']>,
  item = UNKNOWN_ITEM,
  role: EvaluationContext['agent']['role'] = 'pricing',
): EvaluationContext => ({
  intent: {
    action: 'pricing.set_price',
    target: { type: 'sku', id: 'S' },
    params: {},
    confidence: 0.9,
    justification: 'x',
    ...over,
  },
  agent: { ...agent, role },
  item,
  counters: {},
  retail: { competitors: [], approvedFacts: [], ownBrands: [] },
});
const bag = { ...UNKNOWN_ITEM, found: true, sku: 'S', price: 2000, floorPrice: 1500, velocity30d: 40 };

describe('evaluatePolicySet', () => {
  it('denies with the message expression and names policy and version', () => {
    const out = evaluatePolicySet(set(floor), ctx({ params: { price: 1000 } }, bag));
    expect(out.verdict).toBe('deny');
    expect(out.reasons[0]).toMatchObject({
      policyId: 'flagship-floor',
      policyVersion: '3',
      effect: 'deny',
      message: 'price 1000 is below the floor 1500',
    });
  });

  it('combines deny > escalate > modify > allow and lists every matched policy', () => {
    const out = evaluatePolicySet(
      set(floor, confidence),
      ctx({ params: { price: 1000 }, confidence: 0.2 }, bag),
    );
    expect(out.verdict).toBe('deny');
    expect(out.reasons.map((r) => r.effect)).toEqual(['deny', 'escalate']);
    const escalated = evaluatePolicySet(
      set(floor, confidence),
      ctx({ params: { price: 1800 }, confidence: 0.2 }, bag),
    );
    expect(escalated.verdict).toBe('escalate');
    expect(escalated.reasons.map((r) => `${r.policyId}:${r.effect}`)).toEqual([
      'low-confidence:escalate',
      'flagship-floor:allow',
    ]);
  });

  it('caps a quantity (modify) and only for the matched role', () => {
    const intent = { action: 'inventory.create_purchase_order', params: { sku: 'S', quantity: 10000 } };
    const out = evaluatePolicySet(set(cap), ctx(intent, bag, 'replenishment'));
    expect(out.verdict).toBe('modify');
    expect(out.modifiedParams).toEqual({ sku: 'S', quantity: 80 });
    expect(out.obligations).toEqual([{ type: 'cap', field: 'quantity', max: 80 }]);
    expect(evaluatePolicySet(set(cap), ctx(intent, bag, 'pricing')).matched).toEqual([]);
  });

  it('redacts PII of anyone but the addressee', () => {
    const message = 'Dear client (anna@example.com), as with marc@example.org, call +33 6 12 34 56 78.';
    const out = evaluatePolicySet(
      set(redact),
      ctx({ action: 'service.send_message', params: { message, recipientEmail: 'anna@example.com' } }),
    );
    expect(out.verdict).toBe('modify');
    expect(out.modifiedParams!.message).toBe(
      'Dear client (anna@example.com), as with [redacted email], call [redacted phone].',
    );
  });

  it('records a shadow violation without changing the verdict', () => {
    const out = evaluatePolicySet(set(floor, shadowDeny), ctx({ params: { price: 1600 } }, bag));
    expect(out.verdict).toBe('allow');
    expect(out.shadowVerdict).toBe('deny');
    expect(out.reasons[0]).toMatchObject({ policyId: 'strict-floor', mode: 'shadow', effect: 'deny' });
  });

  it('denies when a modify validation cannot be evaluated instead of allowing unmodified', () => {
    const intent = { action: 'inventory.create_purchase_order', params: { sku: 'S', quantity: 'lots' } };
    const out = evaluatePolicySet(set(cap), ctx(intent, bag, 'replenishment'));
    expect(out.verdict).toBe('deny');
    expect(out.reasons[0]).toMatchObject({
      policyId: 'po-cap',
      effect: 'deny',
      message: expect.stringMatching(/could not evaluate/),
    });
  });

  it('denies with a reason when an obligation cannot be computed instead of throwing', () => {
    const broken = cap.replace('max: "variables.ceiling"', 'max: "double(intent.params.forecastUnits30d)"');
    const intent = { action: 'inventory.create_purchase_order', params: { sku: 'S', quantity: 10000 } };
    const out = evaluatePolicySet(set(broken), ctx(intent, bag, 'replenishment'));
    expect(out.verdict).toBe('deny');
    expect(out.reasons.map((r) => r.effect)).toEqual(['modify', 'deny']);
    expect(out.reasons[1].message).toMatch(/obligation could not be evaluated/);
  });

  it('treats an expression that cannot be evaluated as violated (fail closed)', () => {
    const out = evaluatePolicySet(set(floor), ctx({ params: {} }, bag));
    expect(out.verdict).toBe('deny');
    expect(out.reasons[0].message).toMatch(/could not evaluate/);
  });
});

describe('compilePolicySet', () => {
  it('rejects the whole set with file, line and column of each problem', () => {
    const broken = floor.replace(
      'intent.params.price >= item.floorPrice',
      'intent.confidnce >= item.floorPrice',
    );
    const result = compilePolicySet([
      { path: 'good.yaml', content: confidence },
      { path: 'bad.yaml', content: broken },
      {
        path: 'worse.yaml',
        content:
          'apiVersion: agentops.io/v1\nkind: GuardrailPolicy\nmetadata: { name: Bad_Name }\nspec: {}\n',
      },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const bad = result.problems.find((p) => p.file === 'bad.yaml')!;
    expect(bad.line).toBe(8);
    expect(bad.message).toMatch(/confidnce/);
    const worse = result.problems.filter((p) => p.file === 'worse.yaml');
    expect(worse.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^metadata.name:/),
        expect.stringMatching(/^spec.match/),
      ]),
    );
    expect(worse.find((p) => p.message.startsWith('metadata.name'))!.line).toBe(3);
  });

  it('refuses a match glob beyond the caps, naming the field (not a slow match later)', () => {
    const result = compilePolicySet([
      { path: 'stall.yaml', content: confidence.replace(/actions: \[[^\]]*\]/, 'actions: ["*a*a*a*a*a*b"]') },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      'spec.match.actions.0: at most 4 * wildcards (found 6)',
    ]);
  });

  it('versions a policy by content when no version is given, and the set by its members', () => {
    const a = set(confidence);
    const b = set(confidence.replace('0.6', '0.7'));
    expect(a.policies[0].version).toMatch(/^[0-9a-f]{12}$/);
    expect(a.policies[0].version).not.toBe(b.policies[0].version);
    expect(a.version).not.toBe(b.version);
  });
});
