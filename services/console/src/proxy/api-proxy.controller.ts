import { ApiCredentials, ApiResponse, SERVICE_CONFIG, sendProblem } from '@agentops/service-runtime';
import {
  All,
  BadRequestException,
  Controller,
  Inject,
  NotFoundException,
  Param,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { ConsoleConfig } from '../config';

/** Headers worth passing on in each direction; cookies and hop-by-hop headers stay behind. */
const REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'traceparent', 'idempotency-key'];
const RESPONSE_HEADERS = ['content-type', 'retry-after', 'location'];

/**
 * `/api/<service>/<path>` → that service's `/<path>`, carrying the user's token (from the session
 * cookie). The console adds no privilege: each service authorises the user itself, so the console
 * and the CLI see exactly the same answers, 403s included.
 */
@Controller('api')
// The services behind check the caller's token (from the session cookie or the header).
@ApiCredentials('bearerToken')
export class ApiProxyController {
  private readonly targets: Record<string, string>;

  constructor(@Inject(SERVICE_CONFIG) config: ConsoleConfig) {
    this.targets = {
      ingest: config.INGEST_URL,
      guardrail: config.GUARDRAIL_URL,
      escalation: config.ESCALATION_URL,
      killswitch: config.KILLSWITCH_URL,
      audit: config.AUDIT_URL,
      rollout: config.ROLLOUT_URL,
      access: config.ACCESS_URL,
    };
  }

  @All(':service/*path')
  @ApiResponse(200, { contentType: 'application/json' }, "the service's own answer, as its description says")
  @ApiResponse(400, undefined, 'the path after /api/<service> is not a /v1/… path')
  @ApiResponse(401, undefined, "no session or token: the service's own 401")
  @ApiResponse(403, undefined, "the service's own 403")
  @ApiResponse(404, undefined, "an unknown service, or the service's own 404")
  @ApiResponse(502, undefined, 'the service is unreachable')
  async forward(@Param('service') service: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const base = this.targets[service];
    if (!base)
      throw new NotFoundException(
        `unknown service ${service}; one of ${Object.keys(this.targets).join(', ')}`,
      );
    const path = req.originalUrl.slice(`/api/${service}`.length);
    // Only the services' versioned APIs, which authorise the user themselves: never `/metrics`,
    // `/health/*` or anything else a service serves unauthenticated to its own network. A literal
    // prefix check, after refusing what URL resolution could turn into another path or host
    // (`//host`, `\`, dot segments, encoded slashes or dots).
    if (!isVersionedApiPath(path))
      throw new BadRequestException(
        'the path after /api/<service> must be an API path on that service: /v1/…',
      );
    const headers: Record<string, string> = {};
    for (const h of REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const hasBody = !['GET', 'HEAD'].includes(req.method) && req.body !== undefined;
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
        method: req.method,
        headers,
        body: hasBody ? JSON.stringify(req.body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      sendProblem(res, 502, `${service} is unreachable: ${(error as Error).message}`, req);
      return;
    }
    res.status(upstream.status);
    for (const h of RESPONSE_HEADERS) {
      const v = upstream.headers.get(h);
      if (v) res.setHeader(h, v);
    }
    res.setHeader('cache-control', 'no-store');
    if (!upstream.body) {
      res.end();
      return;
    }
    // Streamed, so an audit export of any size passes through without being held in memory.
    Readable.fromWeb(upstream.body as ReadableStream<Uint8Array>)
      .on('error', () => res.destroy())
      .pipe(res);
  }
}

/** `/v1/<something>` with no segment that resolution could rewrite (`..`, `.`, `//`, `\`, `%2f`, `%2e`, `%5c`). */
export function isVersionedApiPath(path: string): boolean {
  if (!path.startsWith('/v1/')) return false;
  const pathname = path.split('?')[0];
  if (/\\|\/\/|%2f|%2e|%5c/i.test(pathname)) return false;
  return pathname.split('/').every((segment) => segment !== '.' && segment !== '..');
}
