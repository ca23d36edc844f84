import type { AccessStep } from '@agentops/access-anomaly';
import { AgentFlowHistory, FlowHistoryWriter } from '../monitoring/flow-history';

/** The histories as last written, by agent id. */
export class InMemoryFlowHistory extends FlowHistoryWriter {
  readonly steps = new Map<string, AccessStep[]>();
  down = false;
  async write(histories: readonly AgentFlowHistory[]): Promise<void> {
    if (this.down) throw new Error('redis is down');
    for (const h of histories) this.steps.set(h.agentId, structuredClone([...h.steps]));
  }
}
