import SwaggerParser from '@apidevtools/swagger-parser';
import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { PrincipalGuard, RequireRoles } from '../auth/principal.guard';
import { IntParam, UuidParam, ZodValidationPipe } from '../zod-validation.pipe';
import { ApiCredentials, ApiResponse, credentialsOf } from './api-metadata';
import { httpRoutesOf } from './http-routes';
import { OpenApiDocument, openApiDocument, openApiPath } from './openapi-document';

const Widget = z.object({ id: z.string().uuid(), name: z.string(), size: z.number().int() }).meta({
  id: 'SpecWidget',
});
const NewWidget = z.object({ name: z.string().min(1), size: z.number().int().default(1) });
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  wait: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

@ApiCredentials('agentApiKey')
class KeyGuard {
  canActivate() {
    return true;
  }
}

@Controller('v1/widgets')
@UseGuards(PrincipalGuard)
class WidgetsController {
  @Post()
  @RequireRoles('sre')
  @ApiResponse(201, Widget, 'the new widget')
  @ApiResponse(409, undefined, 'a widget of that name exists')
  create(
    @Body(new ZodValidationPipe(NewWidget)) body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ) {
    return { body, key };
  }

  @Get(':widgetId')
  @ApiResponse(200, Widget, 'the widget')
  one(@UuidParam('widgetId') id: string) {
    return id;
  }

  @Get()
  list(@Query(new ZodValidationPipe(ListQuery)) query: unknown) {
    return query;
  }
}

@Controller('v1/agents')
@UseGuards(KeyGuard)
class AgentApiController {
  @Post(':n/pings')
  @HttpCode(202)
  ping(@IntParam('n') n: number) {
    return n;
  }

  @Get('stream')
  @ApiResponse(200, { contentType: 'text/event-stream' }, 'events')
  stream(@Res() res: unknown) {
    return res;
  }
}

@Controller()
class ProbeController {
  @Get('health/live')
  live() {
    return { status: 'live' };
  }
}

/** The parts of an operation the assertions read. */
interface Operation {
  description?: string;
  security?: unknown;
  'x-agentops-roles'?: string[];
  parameters: { name: string; required: boolean; schema: unknown }[];
  requestBody: { required: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const op = (document: OpenApiDocument, path: string, method: string) =>
  document.paths[path][method] as unknown as Operation;

async function documentOf(...controllers: (new () => object)[]) {
  // The guard is never run here: the description reads the class the route names.
  const moduleRef = await Test.createTestingModule({ controllers })
    .overrideGuard(PrincipalGuard)
    .useValue({ canActivate: () => true })
    .compile();
  const routes = httpRoutesOf(moduleRef.get(ModulesContainer));
  return { routes, document: openApiDocument('spec', '1.2.3', routes) };
}

describe('OpenAPI description from the running routes', () => {
  it('is a valid OpenAPI 3.1 document (swagger-parser) whose every $ref resolves', async () => {
    const { document } = await documentOf(WidgetsController, AgentApiController, ProbeController);
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it("describes the body, query, path and header parameters from the routes' own pipes", async () => {
    const { document } = await documentOf(WidgetsController);
    const create = op(document, '/v1/widgets', 'post');
    expect(create.requestBody.required).toBe(true);
    // The input side: `size` has a default, so a caller may leave it out.
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      properties: { name: { type: 'string', minLength: 1 }, size: { type: 'integer', default: 1 } },
      required: ['name'],
    });
    expect(create.parameters).toEqual([
      { name: 'idempotency-key', in: 'header', required: false, schema: { type: 'string' } },
    ]);
    const one = op(document, '/v1/widgets/{widgetId}', 'get');
    expect(one.parameters).toEqual([
      { name: 'widgetId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    ]);
    const list = op(document, '/v1/widgets', 'get');
    expect(list.parameters.map((p) => [p.name, p.required])).toEqual([
      ['limit', false],
      ['wait', false],
    ]);
    expect(list.parameters[0].schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
  });

  it('says who may call: security schemes from the guards, roles from RequireRoles, public routes open', async () => {
    const { document } = await documentOf(WidgetsController, AgentApiController, ProbeController);
    const create = op(document, '/v1/widgets', 'post');
    expect(create.security).toEqual([{ bearerToken: [] }]);
    expect(create['x-agentops-roles']).toEqual(['sre']);
    expect(create.description).toContain('`sre`');
    expect(op(document, '/v1/widgets', 'get')['x-agentops-roles']).toBeUndefined();
    expect(op(document, '/v1/agents/{n}/pings', 'post').security).toEqual([{ agentApiKey: [] }]);
    expect(op(document, '/health/live', 'get').security).toEqual([]);
    expect(credentialsOf(PrincipalGuard)).toBe('bearerToken');
    expect(credentialsOf(ProbeController)).toBeUndefined();
  });

  it('describes the answers: declared schemas (output side), the success status, the shared errors', async () => {
    const { document } = await documentOf(WidgetsController, AgentApiController, ProbeController);
    const create = op(document, '/v1/widgets', 'post').responses;
    expect(Object.keys(create)).toEqual(['201', '400', '401', '403', '409', '413']);
    expect(create['201'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/SpecWidget',
    });
    // A named schema is shared once; the output side forbids what the contract does not list.
    expect(document.components.schemas.SpecWidget).toMatchObject({
      required: ['id', 'name', 'size'],
      additionalProperties: false,
    });
    // A declared 4xx without a schema of its own is problem details.
    expect(create['409'].content?.['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(create['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    const one = op(document, '/v1/widgets/{widgetId}', 'get').responses;
    expect(Object.keys(one)).toEqual(['200', '400', '401', '403', '404']);
    const ping = op(document, '/v1/agents/{n}/pings', 'post').responses;
    // @HttpCode's status; an agent key is never refused with 403.
    expect(Object.keys(ping)).toEqual(['202', '400', '401', '404']);
    const stream = op(document, '/v1/agents/stream', 'get').responses;
    expect(stream['200'].content).toEqual({ 'text/event-stream': {} });
    const live = op(document, '/health/live', 'get').responses;
    expect(Object.keys(live)).toEqual(['200']);
  });

  it('turns Nest path templates into OpenAPI ones, catch-alls included', () => {
    expect(openApiPath('/v1/intents/:intentId/decision')).toBe('/v1/intents/{intentId}/decision');
    expect(openApiPath('/api/:service/*path')).toBe('/api/{service}/{path}');
  });
});
