import { z } from 'zod';
import { DecisionReason } from '../common/schema';

export const EscalationOpenedType = 'agentops.escalation.opened.v1' as const;

export const EscalationOpenedV1 = z.object({
  taskId: z.string().uuid(),
  intentId: z.string().uuid(),
  agentId: z.string().min(1),
  route: z.string().min(1),
  reasons: z.array(DecisionReason),
  /** When the current tier's SLA passes (the task then moves to the next tier, or times out). */
  slaDueAt: z.string().datetime({ offset: true }).optional(),
  /**
   * When the route's last tier passes if nobody decides (every tier's SLA in turn), and what is
   * then decided for the agent. Optional: tasks opened before these were carried have neither.
   */
  timeoutAt: z.string().datetime({ offset: true }).optional(),
  timeoutOutcome: z.enum(['deny', 'allow']).optional(),
  openedAt: z.string().datetime({ offset: true }),
});
export type EscalationOpenedV1 = z.infer<typeof EscalationOpenedV1>;
