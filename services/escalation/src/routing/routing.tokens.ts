import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRoutingRules, RoutingRules } from './routing-rules';

export const ROUTING_RULES = Symbol('ROUTING_RULES');

/** Read once at start; a bad file stops the service with the file and field named. */
export function loadRoutingRulesFile(path: string): RoutingRules {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new Error(`ESCALATION_ROUTES_FILE: cannot read ${full}: ${(error as Error).message}`);
  }
  try {
    return parseRoutingRules(text);
  } catch (error) {
    throw new Error(`ESCALATION_ROUTES_FILE ${full}: ${(error as Error).message}`);
  }
}
