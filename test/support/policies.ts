import { postJson } from './agent-http';
import { TEST_OPERATOR_TOKEN } from './test-env';

/** A one-policy set: prices must respect the SKU's floor, unknown SKUs are denied. */
export const FLOOR_POLICY = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: price-floor, version: "1", owner: brand-pricing }
spec:
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "item.found"
      messageExpression: "'unknown SKU ' + string(intent.params.sku) + ': cannot check its floor'"
      effect: deny
    - expression: "!item.found || double(intent.params.price) >= item.floorPrice"
      messageExpression: "'price ' + string(intent.params.price) + ' is below the floor ' + string(item.floorPrice) + ' of ' + item.sku"
      effect: deny
`;

/**
 * A set that constrains nothing the suites propose: the policy layer allows every intent (scopes
 * still apply). The active set is shared by the whole run, so a suite that expects `allow` from
 * the policies applies this first instead of inheriting whatever the previous suite applied.
 */
export const NO_CONSTRAINT_POLICY = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: no-constraint, version: "1", owner: tests }
spec:
  match: { actions: ["tests.never_proposed"] }
  validations:
    - expression: "false"
      message: never evaluated
      effect: deny
`;

export async function applyPolicySet(
  guardrailUrl: string,
  files: { path: string; content: string }[],
  token = TEST_OPERATOR_TOKEN,
) {
  return postJson<{
    version: string;
    policies: { id: string; version: string }[];
    problems?: { file: string; line: number; column: number; message: string }[];
  }>(`${guardrailUrl}/v1/policies/sets`, { files }, { authorization: `Bearer ${token}` });
}

/** Pins {@link NO_CONSTRAINT_POLICY} as the active set (the suites assert its 201). */
export function applyNoConstraintSet(guardrailUrl: string) {
  return applyPolicySet(guardrailUrl, [{ path: 'no-constraint.yaml', content: NO_CONSTRAINT_POLICY }]);
}
