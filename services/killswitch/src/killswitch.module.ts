import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { SignalRepository } from './signals/signal-repository';
import { SignalsHandler } from './signals/signals.handler';

@Module({})
export class KillswitchModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: KillswitchModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [SignalsHandler],
      providers: [SignalRepository],
    };
  }
}
