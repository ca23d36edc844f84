import { ParseIntPipe, ParseUUIDPipe, RequestMethod } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { ModulesContainer } from '@nestjs/core';
import type { z } from 'zod';
import { ROLES_KEY, SERVICES_KEY } from '../auth/principal.guard';
import type { HumanRole } from '../auth/principal';
import { ZodValidationPipe } from '../zod-validation.pipe';
import { ApiCredentialScheme, ApiResponseSpec, credentialsOf, responsesOf } from './api-metadata';

/** A path, query or header parameter a handler reads by name. */
export interface HttpParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  /** Its contract schema, when a validation pipe checks it. */
  schema?: z.ZodType;
  /** What Nest's parse pipes (UuidParam, IntParam) require of it. */
  format?: 'uuid' | 'integer';
}

/** One HTTP route of a running Nest app, as its controller metadata declares it. */
export interface HttpRoute {
  method: string;
  /** As Nest declares it: `/v1/intents/:intentId/decision`. */
  path: string;
  controller: string;
  handler: string;
  /** The body's schema (a ZodValidationPipe on `@Body()`); undefined when the body is not read. */
  body?: z.ZodType;
  /** The whole query's schema (a ZodValidationPipe on `@Query()`). */
  query?: z.ZodType;
  parameters: HttpParameter[];
  /** The credentials its guards check; empty for a public route. */
  credentials: ApiCredentialScheme[];
  /** The human roles that may call (admin always may); undefined: any authenticated human. */
  roles?: HumanRole[];
  /** The service principals it allows. */
  services?: string[];
  /** The status of a success (`@HttpCode`, else Nest's: 201 for POST, 200 for the rest). */
  successStatus: number;
  responses: ApiResponseSpec[];
}

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

type ControllerType = (new (...args: unknown[]) => object) & { name: string };

const join = (...parts: string[]) => `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/**
 * Every HTTP route of a running Nest app (Kafka handlers have no path and are left out), read
 * from the same metadata Nest routes by: the one source of route truth for the access matrix and
 * the OpenAPI description, so neither can describe a route the service does not serve.
 */
export function httpRoutesOf(modules: ModulesContainer): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as ControllerType | undefined;
      if (!type?.prototype) continue;
      const bases = [Reflect.getMetadata(PATH_METADATA, type) ?? '/'].flat() as string[];
      const classGuards = (Reflect.getMetadata(GUARDS_METADATA, type) as unknown[] | undefined) ?? [];
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || paths === undefined) continue;
        const guards = [
          ...classGuards,
          ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? []),
        ];
        const args = Object.entries(
          (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) as Record<string, RouteArg> | undefined) ??
            {},
        );
        const described = describeArgs(args);
        const verb = RequestMethod[method];
        // A guard's scheme, or the controller's own (a proxy whose upstream checks the credentials).
        const credentials = [
          ...new Set([...guards, type].map(credentialsOf).filter((c): c is ApiCredentialScheme => !!c)),
        ];
        const pick = <T>(key: string) =>
          (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, type)) as T | undefined;
        for (const base of bases)
          for (const path of [paths].flat()) {
            const full = join(base, path);
            routes.push({
              method: verb,
              path: full,
              controller: type.name,
              handler: name,
              ...described,
              // A path parameter no decorator reads is still part of the path.
              parameters: withPathParameters(full, described.parameters),
              credentials,
              roles: credentials.includes('bearerToken') ? pick<HumanRole[]>(ROLES_KEY) : undefined,
              services: credentials.includes('bearerToken') ? pick<string[]>(SERVICES_KEY) : undefined,
              successStatus:
                (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
                (verb === 'POST' ? 201 : 200),
              responses: responsesOf(handler),
            });
          }
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

function describeArgs(args: [string, RouteArg][]): Pick<HttpRoute, 'body' | 'query' | 'parameters'> {
  let body: z.ZodType | undefined;
  let query: z.ZodType | undefined;
  const parameters: HttpParameter[] = [];
  for (const [key, arg] of args) {
    const kind = Number(key.split(':')[0]);
    const pipes = arg.pipes ?? [];
    const schema = pipes.find(
      (p): p is ZodValidationPipe<z.ZodType> => p instanceof ZodValidationPipe,
    )?.schema;
    const format = pipes.some((p) => p instanceof ParseUUIDPipe)
      ? 'uuid'
      : pipes.some((p) => p instanceof ParseIntPipe)
        ? 'integer'
        : undefined;
    const name = typeof arg.data === 'string' ? arg.data : undefined;
    if (kind === RouteParamtypes.BODY) body = schema ?? body;
    else if (kind === RouteParamtypes.QUERY) {
      if (name) parameters.push({ name, in: 'query', schema, format });
      else query = schema ?? query;
    } else if (kind === RouteParamtypes.PARAM && name) parameters.push({ name, in: 'path', schema, format });
    else if (kind === RouteParamtypes.HEADERS && name) parameters.push({ name, in: 'header', schema });
  }
  return { body, query, parameters };
}

/** `:name` and `*name` segments of a Nest path. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/[:*]([A-Za-z0-9_]+)/g)].map((m) => m[1]);
}

function withPathParameters(path: string, declared: HttpParameter[]): HttpParameter[] {
  const names = pathParameterNames(path);
  const read = declared.filter((p) => p.in !== 'path' || names.includes(p.name));
  const unread = names
    .filter((n) => !read.some((p) => p.in === 'path' && p.name === n))
    .map((name): HttpParameter => ({ name, in: 'path' }));
  return [...read, ...unread];
}

/** `METHOD /path` of every route, as the access rules name them. */
export const routeKeys = (routes: HttpRoute[]): string[] =>
  [...new Set(routes.map((r) => `${r.method} ${r.path}`))].sort();
