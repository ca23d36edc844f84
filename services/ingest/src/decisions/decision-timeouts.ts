import { globMatches } from '@agentops/cohort-selector';

/** Fail-closed wait per action class: the first override whose glob matches wins. */
export function decisionTimeoutFor(
  action: string,
  defaultMs: number,
  overrides: { pattern: string; ms: number }[],
): number {
  for (const o of overrides) if (globMatches(o.pattern, action)) return o.ms;
  return defaultMs;
}
