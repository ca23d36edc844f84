import type { AccessStep } from '@agentops/access-anomaly';
import { FlowHistoryWriter } from '../monitoring/flow-history';

/** The histories as last written, by agent id. */
export class InMemoryFlowHistory extends FlowHistoryWriter {
  readonly steps = new Map<string, AccessStep[]>();
  down = false;
  async write(_tenantId: string, agentId: string, steps: readonly AccessStep[]): Promise<void> {
    if (this.down) throw new Error('redis is down');
    this.steps.set(agentId, structuredClone([...steps]));
  }
}
