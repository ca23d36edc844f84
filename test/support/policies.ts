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
