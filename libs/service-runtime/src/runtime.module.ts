import { ServiceName, eventSource } from '@agentops/contracts';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { EventPublisher } from '@agentops/messaging';
import { DataSource, Redis } from '@agentops/persistence';
import type { Logger } from 'pino';
import { Clock, SystemClock } from './clock';
import { HealthController } from './health.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { ServiceMetrics } from './metrics';
import { BearerAuthenticator } from './auth/bearer-authenticator';
import { PrincipalGuard } from './auth/principal.guard';
import { ServiceCredentials } from './auth/service-token';
import { CommonEnv } from './config';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { ReadinessRegistry } from './readiness';
import { EVENT_SOURCE, LOGGER, REDIS, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

export interface RuntimeParts {
  /** The service's name (the blueprint's), e.g. `guardrail`. */
  service: ServiceName;
  config: unknown;
  logger: Logger;
  metrics: ServiceMetrics;
  messaging: MessagingRuntime;
  dataSource: DataSource;
  redis: Redis;
  readiness: ReadinessRegistry;
}

/**
 * Makes the instance's config, logger, metrics, Kafka runtime and connections injectable. The
 * connections are opened before Nest starts so health checks and shutdown order are explicit.
 */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot(parts: RuntimeParts): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      controllers: [HealthController, OpenApiController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: parts.config },
        { provide: LOGGER, useValue: parts.logger },
        { provide: ServiceMetrics, useValue: parts.metrics },
        { provide: MessagingRuntime, useValue: parts.messaging },
        { provide: EventPublisher, useValue: parts.messaging.publisher },
        { provide: DataSource, useValue: parts.dataSource },
        { provide: REDIS, useValue: parts.redis },
        { provide: ReadinessRegistry, useValue: parts.readiness },
        { provide: SERVICE_NAME, useValue: parts.service },
        { provide: EVENT_SOURCE, useValue: eventSource(parts.service) },
        // Use cases ask the clock port for the time, so their unit specs can set it.
        { provide: Clock, useClass: SystemClock },
        {
          provide: ServiceCredentials,
          useValue: new ServiceCredentials(parts.service, (parts.config as CommonEnv).SERVICE_SIGNING_KEY),
        },
        BearerAuthenticator,
        PrincipalGuard,
        // Every HTTP error (coded domain errors included) becomes problem details here, and only here.
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [
        SERVICE_CONFIG,
        LOGGER,
        ServiceMetrics,
        MessagingRuntime,
        EventPublisher,
        DataSource,
        REDIS,
        ReadinessRegistry,
        SERVICE_NAME,
        EVENT_SOURCE,
        Clock,
        ServiceCredentials,
        BearerAuthenticator,
        PrincipalGuard,
      ],
    };
  }
}
