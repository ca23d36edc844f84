import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SERVICE_NAME } from '../tokens';
import { ApiResponse } from './api-metadata';
import { httpRoutesOf } from './http-routes';
import { OpenApiDocument, openApiDocument } from './openapi-document';

/** Starts Swagger UI on the page's document; a file, not inline, so a strict CSP allows it. */
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
});
`;

/** The only files `/docs/:asset` serves: swagger-ui-dist's, and the page's own init script. */
const ASSETS = new Map<string, { type: string; file?: string; text?: string }>([
  ['swagger-ui.css', { type: 'text/css; charset=utf-8', file: 'swagger-ui.css' }],
  ['swagger-ui-bundle.js', { type: 'text/javascript; charset=utf-8', file: 'swagger-ui-bundle.js' }],
  ['favicon-32x32.png', { type: 'image/png', file: 'favicon-32x32.png' }],
  ['init.js', { type: 'text/javascript; charset=utf-8', text: INIT_JS }],
]);

const page = (service: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AgentOps ${service} API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

/**
 * The service's OpenAPI 3.1 description (`/openapi.json`) and a Swagger UI page on it (`/docs`).
 * Public like the probes: it describes the API, never data; every route it describes still asks
 * for its own credentials. The document is built once, from the running app's own routes.
 */
@Controller()
export class OpenApiController {
  private document?: OpenApiDocument;
  private readonly uiDir = dirname(require.resolve('swagger-ui-dist/package.json'));

  constructor(
    private readonly modules: ModulesContainer,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  @Get('openapi.json')
  @ApiResponse(200, { contentType: 'application/json' }, "this service's OpenAPI 3.1 description")
  openapi(): OpenApiDocument {
    this.document ??= openApiDocument(this.service, platformVersion(), httpRoutesOf(this.modules));
    return this.document;
  }

  @Get('docs')
  @ApiResponse(200, { contentType: 'text/html' }, 'Swagger UI on /openapi.json')
  docs(@Res() res: Response): void {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.send(page(this.service));
  }

  @Get('docs/:asset')
  @ApiResponse(200, { contentType: 'application/octet-stream' }, "the docs page's scripts and styles")
  @ApiResponse(404, undefined, 'not one of the page’s files')
  asset(@Param('asset') name: string, @Res() res: Response): void {
    const asset = ASSETS.get(name);
    if (!asset) throw new NotFoundException(`no docs asset ${name}`);
    res.setHeader('content-type', asset.type);
    res.setHeader('cache-control', 'public, max-age=3600');
    res.send(asset.text ?? readFileSync(join(this.uiDir, asset.file!)));
  }
}

let version: string | undefined;

/** The platform's version (the root package.json's), found upward from here in src and dist alike. */
export function platformVersion(): string {
  if (version) return version;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'agentops' && pkg.version) return (version = pkg.version);
    }
    if (dirname(dir) === dir) return (version = '0.0.0');
  }
}
