import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { AllEventsHandler } from './records/all-events.handler';
import { AuditQueryController } from './records/audit-query.controller';
import { AuditRecordRepository } from './records/audit-record-repository';

@Module({})
export class AuditModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: AuditModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [AllEventsHandler, AuditQueryController],
      providers: [AuditRecordRepository],
    };
  }
}
