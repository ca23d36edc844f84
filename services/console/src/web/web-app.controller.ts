import { ApiResponse, SERVICE_CONFIG } from '@agentops/service-runtime';
import {
  Controller,
  Get,
  Inject,
  NotFoundException,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConsoleConfig } from '../config';

/** The files `npm run build:web` produces; nothing else on disk is reachable. */
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json',
  'app.css': 'text/css; charset=utf-8',
};

/** Serves the single-page console (hash-routed, so `/` is the only page). */
@Controller()
export class WebAppController {
  private readonly dir: string;

  constructor(@Inject(SERVICE_CONFIG) config: ConsoleConfig) {
    this.dir = resolve(config.CONSOLE_WEB_DIR);
  }

  @Get()
  @ApiResponse(200, { contentType: 'text/html' }, 'the console web app')
  @ApiResponse(503, undefined, 'the web app is not built (npm run build)')
  async index(@Res() res: Response): Promise<void> {
    await this.send(res, 'index.html', 'text/html; charset=utf-8', 'no-cache');
  }

  // Named routes, not `/:asset`: a catch-all here would shadow `/metrics` and any other
  // single-segment route of the service.
  @Get(Object.keys(ASSETS))
  @ApiResponse(200, { contentType: 'application/octet-stream' }, "the web app's script, source map or styles")
  @ApiResponse(503, undefined, 'the web app is not built (npm run build)')
  async asset(@Req() req: Request, @Res() res: Response): Promise<void> {
    const asset = req.path.slice(1);
    const type = ASSETS[asset];
    if (!type) throw new NotFoundException();
    await this.send(res, asset, type, 'no-cache');
  }

  private async send(res: Response, file: string, type: string, cache: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(resolve(this.dir, file));
    } catch {
      throw new ServiceUnavailableException(
        `console web app not built (${file} missing in ${this.dir}): run npm run build`,
      );
    }
    res.setHeader('content-type', type);
    res.setHeader('cache-control', cache);
    res.send(body);
  }
}
