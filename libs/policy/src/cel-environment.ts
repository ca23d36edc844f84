import { Environment } from '@marcbachmann/cel-js';
import {
  contradicted,
  correctionText,
  ofKind,
  stale,
  supported,
  unverifiable,
  type PolicyClaim,
} from '@agentops/knowledge';
import { approvedCopyOf, claimsIn, pickClaims, voiceOf } from './grounding';
import { findPii, mentionsAny, normalizeForMatching, piiKindsIn } from './text-detectors';

/**
 * The typed CEL environment every policy expression is checked and evaluated in. Declaring the
 * shape of `intent`, `agent`, `item` and `retail` lets a typo such as `intent.confidnce` fail at
 * apply time instead of at decision time.
 */
export function createPolicyEnvironment(): Environment {
  return (
    new Environment({ homogeneousAggregateLiterals: false })
      .registerVariable({
        name: 'intent',
        schema: {
          action: 'string',
          confidence: 'double',
          justification: 'string',
          params: 'map',
          target: { type: 'string', id: 'string' },
        },
      })
      .registerVariable({
        name: 'agent',
        schema: {
          id: 'string',
          tenantId: 'string',
          role: 'string',
          version: 'string',
          region: 'string',
          labels: 'map',
        },
      })
      .registerVariable({
        name: 'item',
        schema: {
          found: 'bool',
          sku: 'string',
          price: 'double',
          floorPrice: 'double',
          cost: 'double',
          flagship: 'bool',
          brand: 'string',
          category: 'string',
          stock: 'double',
          velocity30d: 'double',
          slowMover: 'bool',
        },
      })
      .registerVariable('counters', 'map')
      .registerVariable({
        name: 'retail',
        schema: { competitors: 'list<string>', approvedFacts: 'list<string>', ownBrands: 'list<string>' },
      })
      .registerVariable({
        name: 'knowledge',
        schema: {
          available: 'bool',
          kbVersion: 'double',
          citedVersions: 'list<double>',
          staleCitations: 'list<double>',
        },
      })
      .registerVariable('variables', 'map')
      .registerFunction('containsPII(string): bool', (text: string) => findPii(text).length > 0)
      .registerFunction('piiKinds(string): list<string>', (text: string) => piiKindsIn(text))
      .registerFunction('mentionsAny(string, list<string>): bool', (text: string, names: string[]) =>
        mentionsAny(text, [...names]),
      )
      .registerFunction('normalized(string): string', (text: string) => normalizeForMatching(text))
      // Grounding against the tenant's approved knowledge (libs/knowledge; see grounding.ts for scope).
      .registerFunction('claims(string): list<map>', (text: string) => claimsIn(text))
      // Each filter notes what it picked: a failing validation is attributed to those claims.
      .registerFunction('contradicted(list<map>): list<map>', (c: PolicyClaim[]) =>
        pickClaims(contradicted(c)),
      )
      .registerFunction('stale(list<map>): list<map>', (c: PolicyClaim[]) => pickClaims(stale(c)))
      .registerFunction('unverifiable(list<map>): list<map>', (c: PolicyClaim[]) =>
        pickClaims(unverifiable(c)),
      )
      .registerFunction('supported(list<map>): list<map>', (c: PolicyClaim[]) => pickClaims(supported(c)))
      .registerFunction('ofKind(list<map>, list<string>): list<map>', (c: PolicyClaim[], kinds: string[]) =>
        pickClaims(ofKind(c, [...kinds])),
      )
      .registerFunction('corrections(list<map>): string', (c: PolicyClaim[]) => correctionText(c))
      .registerFunction('voice(string): map', (text: string) => voiceOf(text))
      .registerFunction('approvedCopy(string): map', (text: string) => approvedCopyOf(text))
  );
}
