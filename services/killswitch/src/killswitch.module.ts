import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { IntentsHandler } from './agents/intents.handler';
import { KnownAgentRepository, PostgresKnownAgentRepository } from './agents/known-agent-repository';
import { KnownAgents } from './agents/known-agents';
import { BreakerEngine } from './breakers/breaker-engine';
import { BreakerRepository, PostgresBreakerRepository } from './breakers/breaker-repository';
import { BreakersController } from './breakers/breakers.controller';
import { BreakerWindows, RedisBreakerWindows } from './breakers/breaker-windows';
import { SignalRepository } from './signals/signal-repository';
import { SignalsHandler } from './signals/signals.handler';
import { KillSwitchesController } from './switches/killswitches.controller';
import { SwitchCommands } from './switches/switch-commands';
import { SwitchFanout } from './switches/switch-fanout';
import { SwitchRepository } from './switches/switch-repository';

@Module({})
export class KillswitchModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: KillswitchModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [SignalsHandler, IntentsHandler, KillSwitchesController, BreakersController],
      providers: [
        SignalRepository,
        { provide: KnownAgentRepository, useClass: PostgresKnownAgentRepository },
        KnownAgents,
        SwitchRepository,
        SwitchFanout,
        SwitchCommands,
        { provide: BreakerRepository, useClass: PostgresBreakerRepository },
        { provide: BreakerWindows, useClass: RedisBreakerWindows },
        BreakerEngine,
      ],
    };
  }
}
