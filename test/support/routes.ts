import { HttpRoute, RunningService, httpRoutesOf, routeKeys } from '@agentops/service-runtime';
import { ModulesContainer } from '@nestjs/core';

/** Every HTTP route of a Nest app as its controllers declare them: what the OpenAPI description reads. */
export function httpRoutesOfApp(app: RunningService['app']): HttpRoute[] {
  return httpRoutesOf(app.get(ModulesContainer));
}

/** Every HTTP route of a Nest app, as `METHOD /path`, from its controllers' metadata. */
export function routesOf(app: RunningService['app']): string[] {
  return routeKeys(httpRoutesOfApp(app));
}
