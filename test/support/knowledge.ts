import { parse } from 'yaml';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A fixture knowledge file (YAML) as JSON import content with every instant moved by the same
 * amount so that its `asOf` is `now`: what was fresh, stale, live or expired at the fixture's `asOf`
 * stays so when a running guardrail judges it against the wall clock.
 */
export function knowledgeAt(
  yamlSource: string,
  now = Date.now(),
  patch: Record<string, unknown> = {},
): string {
  const doc = parse(yamlSource) as Record<string, unknown>;
  const shift = now - Date.parse(String(doc.asOf));
  const move = (value: unknown): unknown => {
    if (typeof value === 'string' && ISO_INSTANT.test(value))
      return new Date(Date.parse(value) + shift).toISOString();
    if (Array.isArray(value)) return value.map(move);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v)]));
    return value;
  };
  return JSON.stringify({ ...(move(doc) as Record<string, unknown>), ...patch });
}
