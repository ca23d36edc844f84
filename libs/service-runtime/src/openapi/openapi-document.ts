import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import type { HumanRole } from '../auth/principal';
import { ApiCredentialScheme, ApiResponseSpec } from './api-metadata';
import { HttpParameter, HttpRoute } from './http-routes';

/** A JSON Schema (draft 2020-12) or OpenAPI object, as plain JSON. */
export type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Json>>;
  components: {
    schemas: Record<string, Json>;
    responses: Record<string, Json>;
    securitySchemes: Record<ApiCredentialScheme, Json>;
  };
}

/**
 * The platform's one error body: RFC 9457 problem details (libs/service-runtime errors/problem.ts),
 * `errors` naming each failing field, plus the members answers carried before it, kept for one
 * release. What every 4xx and 5xx answers, as `application/problem+json`.
 */
const PROBLEM_SCHEMA: Json = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: '`about:blank`: the status says what kind of problem it is' },
    title: { type: 'string', description: "the status's phrase, e.g. `Bad Request`" },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'what went wrong, for a human' },
    instance: { type: 'string', description: 'the request path' },
    errors: {
      type: 'array',
      description:
        'one entry per failing field; `path` is dotted (`params.price`), `(root)` for the whole value',
      items: {
        type: 'object',
        required: ['path', 'detail'],
        properties: { path: { type: 'string' }, detail: { type: 'string' } },
      },
    },
    statusCode: { type: 'integer', deprecated: true, description: 'use `status`' },
    error: { type: 'string', deprecated: true, description: 'use `title`' },
    message: {
      deprecated: true,
      description: 'use `detail`',
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    issues: {
      deprecated: true,
      description: 'use `errors`',
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  additionalProperties: true,
};

const PROBLEM_JSON = 'application/problem+json';
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** The shared error answers (components.responses), by status. */
const SHARED_ERRORS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'the request is invalid; `issues` names each failing field' },
  401: { name: 'Unauthorized', description: 'no credentials, or unknown, expired or revoked ones' },
  403: { name: 'Forbidden', description: 'the caller may not call this route or act on this tenant' },
  404: { name: 'NotFound', description: "unknown (or another tenant's) resource" },
  413: { name: 'PayloadTooLarge', description: 'the body exceeds the route’s size limit' },
  429: { name: 'TooManyRequests', description: 'over the rate limit; `Retry-After` says when to retry' },
};

const SECURITY_SCHEMES: Record<ApiCredentialScheme, Json> = {
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A user token signed by the console (`/v1/auth/login`), a break-glass operator token, or a service assertion on the routes that allow services.',
  },
  agentApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: "An agent's API key (`aok_…`); the agent's tenant and identity come from the key.",
  },
};

const METHODS_OF_ALL = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * The OpenAPI 3.1 description of one service, from its routes as the running app declares them
 * (httpRoutesOf) and the zod contract schemas their pipes validate with, converted by zod's own
 * JSON Schema generator (draft 2020-12, OpenAPI 3.1's dialect). Request schemas are the input
 * side of each schema (what a caller may send), response schemas the output side.
 */
export function openApiDocument(service: string, version: string, routes: HttpRoute[]): OpenApiDocument {
  const schemas: Record<string, Json> = { Problem: PROBLEM_SCHEMA };
  const convert = (schema: z.ZodType, io: 'input' | 'output', hint: string) =>
    toSchema(schema, io, hint, schemas);
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    const path = openApiPath(route.path);
    const methods = route.method === 'ALL' ? METHODS_OF_ALL : [route.method.toLowerCase()];
    for (const method of methods) {
      const base = `${route.controller.replace(/Controller$/, '')}.${route.handler}`;
      let operationId = route.method === 'ALL' ? `${base}.${method}` : base;
      for (let n = 2; operationIds.has(operationId); n++) operationId = `${base}${n}`;
      operationIds.add(operationId);
      paths[path] = { ...paths[path], [method]: operation(route, operationId, convert) };
    }
  }
  const responses = Object.fromEntries(
    Object.values(SHARED_ERRORS).map(({ name, description }) => [
      name,
      { description, content: { [PROBLEM_JSON]: { schema: PROBLEM_REF } } },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: `AgentOps ${service} API`,
      version,
      description:
        `The HTTP API of the AgentOps ${service} service, generated from its routes and contract schemas. ` +
        'Every error answers RFC 9457 problem details (`application/problem+json`, the Problem schema).',
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas: sortKeys(schemas), responses, securitySchemes: SECURITY_SCHEMES },
  };
}

type Convert = (schema: z.ZodType, io: 'input' | 'output', hint: string) => Json;

function operation(route: HttpRoute, operationId: string, convert: Convert): Json {
  const parameters = [
    ...route.parameters.map((p) => parameter(p, convert, operationId)),
    ...queryParameters(route, convert, operationId),
  ];
  const op: Json = {
    operationId,
    tags: [route.controller.replace(/Controller$/, '')],
    ...(describeAccess(route) ? { description: describeAccess(route) } : {}),
    security: route.credentials.map((c) => ({ [c]: [] })),
  };
  if (parameters.length) op.parameters = parameters;
  if (route.body)
    op.requestBody = {
      required: !route.body.safeParse(undefined).success,
      content: { 'application/json': { schema: convert(route.body, 'input', `${operationId}.body`) } },
    };
  if (route.roles) op['x-agentops-roles'] = route.roles;
  if (route.services) op['x-agentops-services'] = route.services;
  op.responses = responses(route, operationId, convert);
  return op;
}

function describeAccess(route: HttpRoute): string | undefined {
  if (!route.credentials.length) return 'Public: no credentials.';
  if (!route.credentials.includes('bearerToken')) return undefined;
  const roles = route.roles?.length
    ? `one of the roles ${rolesText(route.roles)}`
    : 'any authenticated human';
  const services = route.services?.length ? `; services: ${route.services.join(', ')}` : '';
  return `Callers: ${roles} (admin always may)${services}.`;
}

const rolesText = (roles: HumanRole[]) => roles.map((r) => `\`${r}\``).join(', ');

function parameter(p: HttpParameter, convert: Convert, operationId: string): Json {
  const schema = p.schema
    ? convert(p.schema, 'input', `${operationId}.${p.name}`)
    : p.format === 'uuid'
      ? { type: 'string', format: 'uuid' }
      : p.format === 'integer'
        ? { type: 'integer' }
        : { type: 'string' };
  return {
    name: p.name,
    in: p.in,
    required: p.in === 'path' || (p.schema ? !p.schema.safeParse(undefined).success : false),
    schema,
  };
}

/** A whole-query schema becomes one parameter per property (OpenAPI's form style). */
function queryParameters(route: HttpRoute, convert: Convert, operationId: string): Json[] {
  if (!route.query) return [];
  const schema = convert(route.query, 'input', `${operationId}.query`);
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = (schema.required ?? []) as string[];
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema: s,
  }));
}

function responses(route: HttpRoute, operationId: string, convert: Convert): Json {
  const out: Record<string, Json> = {};
  const declared = new Map<number, ApiResponseSpec[]>();
  for (const spec of route.responses) declared.set(spec.status, [...(declared.get(spec.status) ?? []), spec]);
  if (!declared.has(route.successStatus) && ![...declared.keys()].some((s) => s < 300))
    out[String(route.successStatus)] = { description: STATUS_CODES[route.successStatus] ?? 'success' };
  for (const [status, specs] of declared) {
    const content: Record<string, Json> = {};
    for (const spec of specs) {
      const body = spec.body;
      if (!body) {
        if (status >= 400) content[PROBLEM_JSON] = { schema: PROBLEM_REF };
      } else if ('contentType' in body && typeof body.contentType === 'string')
        content[body.contentType] = {};
      else
        content['application/json'] = {
          schema: convert(body as z.ZodType, 'output', `${operationId}.${status}`),
        };
    }
    out[String(status)] = {
      description: specs.map((s) => s.description).join('; '),
      ...(Object.keys(content).length ? { content } : {}),
    };
  }
  const shared = (status: number) => {
    if (!out[String(status)])
      out[String(status)] = { $ref: `#/components/responses/${SHARED_ERRORS[status].name}` };
  };
  const validates = route.body || route.query || route.parameters.some((p) => p.schema || p.format);
  if (validates) shared(400);
  if (route.credentials.length) shared(401);
  if (route.credentials.includes('bearerToken')) shared(403);
  if (route.parameters.some((p) => p.in === 'path')) shared(404);
  if (route.body) shared(413);
  return sortKeys(out);
}

/** `/v1/intents/:intentId/decision` → `/v1/intents/{intentId}/decision` (`*path` too). */
export const openApiPath = (path: string): string => path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');

/**
 * One zod schema as JSON Schema inside the document: schemas that carry a `meta({ id })` (and
 * recursive ones) come out as `$defs`, which are moved to components.schemas so that every `$ref`
 * resolves against the document.
 */
function toSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  hint: string,
  shared: Record<string, Json>,
): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete json.$schema;
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  delete json.$defs;
  const renamed = new Map<string, string>();
  for (const name of Object.keys(defs)) {
    // Ids are global (zod's registry), so a named schema is the same schema wherever it appears;
    // generated names (`__schema0`) are local to this conversion.
    const target = name.startsWith('__') ? `${hint.replace(/[^A-Za-z0-9_.-]/g, '_')}${name}` : name;
    renamed.set(name, io === 'input' && !name.startsWith('__') ? `${target}Input` : target);
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/'))
          return [k, `#/components/schemas/${renamed.get(v.slice('#/$defs/'.length)) ?? v}`];
        return [k, rewrite(v)];
      }),
    );
  };
  for (const [name, def] of Object.entries(defs)) shared[renamed.get(name)!] = rewrite(def) as Json;
  return rewrite(json) as Json;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
