import { RolloutPlan, validateRollout } from '@agentops/rollout-analysis';
import { RolloutRecord } from './rollout-store';

const cache = new Map<string, RolloutPlan>();

/**
 * The plan of a stored rollout: its document validated again (it was valid when applied; the
 * library decides defaults, so the plan is derived, never stored). Cached by rollout id: a
 * rollout's document never changes after it is applied.
 */
export function planOf(record: Pick<RolloutRecord, 'id' | 'document'>): RolloutPlan {
  const hit = cache.get(record.id);
  if (hit) return hit;
  const validation = validateRollout(record.document);
  if (!validation.ok)
    throw new Error(
      `stored rollout ${record.id} no longer validates: ${validation.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  if (cache.size > 10_000) cache.clear();
  cache.set(record.id, validation.plan);
  return validation.plan;
}
