import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { AccessController } from './api/access.controller';
import { AccessReads } from './api/access-reads';
import { AgentQuarantine, KillSwitchApiQuarantine } from './containment/agent-quarantine';
import { Containment } from './containment/containment';
import { AccessEventsConsumer } from './monitoring/access-events.consumer';
import { AccessObservation } from './monitoring/access-observation';
import { AccessStateStore } from './monitoring/access-state-store';
import { AccessTicker } from './monitoring/access-ticker';
import { FlowHistoryWriter, RedisFlowHistoryWriter } from './monitoring/flow-history';
import { PgAccessStateStore } from './persistence/pg-access-state-store';

@Module({})
export class AccessModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: AccessModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [AccessController],
      providers: [
        { provide: AccessStateStore, useClass: PgAccessStateStore },
        { provide: AgentQuarantine, useClass: KillSwitchApiQuarantine },
        { provide: FlowHistoryWriter, useClass: RedisFlowHistoryWriter },
        Containment,
        AccessObservation,
        AccessReads,
        AccessTicker,
        AccessEventsConsumer,
      ],
    };
  }
}
