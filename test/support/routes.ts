import { RunningService } from '@agentops/service-runtime';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

/** Every HTTP route of a Nest app, as `METHOD /path`, from its controllers' metadata. */
export function routesOf(app: RunningService['app']): string[] {
  const routes = new Set<string>();
  const join = (...parts: string[]) => `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!type?.prototype) continue;
      const bases = [Reflect.getMetadata(PATH_METADATA, type) ?? '/'].flat() as string[];
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || paths === undefined) continue; // Kafka handlers
        for (const base of bases)
          for (const path of [paths].flat()) routes.add(`${RequestMethod[method]} ${join(base, path)}`);
      }
    }
  }
  return [...routes].sort();
}
