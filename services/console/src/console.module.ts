import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConsoleEventsHandler } from './console-events.handler';
import { AuthController } from './identity/auth.controller';
import { LoginThrottle } from './identity/login-throttle';
import { SessionMiddleware } from './identity/session.middleware';
import { UserRepository } from './identity/user-repository';
import { UsersController } from './identity/users.controller';
import { OverviewController } from './live/overview.controller';
import { TrafficWindow } from './live/traffic-window';
import { PolicyFireCounter } from './policies/policy-fire-counter';
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
        UsersController,
        OverviewController,
        PolicyFiresController,
        ApiProxyController,
        WebAppController,
      ],
      providers: [
        UserRepository,
        LoginThrottle,
        PolicyFireCounter,
        { provide: TrafficWindow, useValue: new TrafficWindow() },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // '{*path}', not '*path': the optional wildcard also matches `/`, the page itself.
    consumer.apply(SessionMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
