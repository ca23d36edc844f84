import { RuntimeParts, ServiceRuntimeModule, SigningKeyRing } from '@agentops/service-runtime';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConsoleConfig } from './config';
import { ConsoleEventsHandler } from './console-events.handler';
import { AuthController } from './identity/auth.controller';
import { BreakGlassLog } from './identity/break-glass-log';
import { JwksController } from './identity/jwks.controller';
import { LoginThrottle } from './identity/login-throttle';
import { SessionMiddleware } from './identity/session.middleware';
import { TokenRevocations } from './identity/token-revocations';
import { UserRepository } from './identity/user-repository';
import { UsersController } from './identity/users.controller';
import { OverviewController } from './live/overview.controller';
import { TrafficWindow } from './live/traffic-window';
import { PolicyFireCounter } from './policies/policy-fire-counter';
import { PolicyFireDecisionsConsumer } from './policies/policy-fire-decisions.consumer';
import { PolicyFireRepository, PostgresPolicyFireRepository } from './policies/policy-fire-repository';
import { PolicyFiresController } from './policies/policy-fires.controller';
import { ApiProxyController } from './proxy/api-proxy.controller';
import { WebAppController } from './web/web-app.controller';

@Module({})
export class ConsoleModule implements NestModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [
        ConsoleEventsHandler,
        AuthController,
        JwksController,
        UsersController,
        OverviewController,
        PolicyFiresController,
        ApiProxyController,
        WebAppController,
      ],
      providers: [
        UserRepository,
        LoginThrottle,
        TokenRevocations,
        BreakGlassLog,
        // Only the console holds the private keys; every service gets the public ones (JWKS).
        {
          provide: SigningKeyRing,
          useValue: new SigningKeyRing((parts.config as ConsoleConfig).AUTH_SIGNING_KEYS),
        },
        { provide: PolicyFireRepository, useClass: PostgresPolicyFireRepository },
        PolicyFireCounter,
        PolicyFireDecisionsConsumer,
        { provide: TrafficWindow, useValue: new TrafficWindow() },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // '{*path}', not '*path': the optional wildcard also matches `/`, the page itself.
    consumer.apply(SessionMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
