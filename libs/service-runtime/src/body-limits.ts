import { json } from 'express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { sendProblem } from './errors/problem';

/**
 * Every JSON body is at most this, unless its route is one of the service's `largeBodies`. The
 * platform's commands are small: an intent with a long customer message is a few KB, the retail
 * policy pack 33 KB; 256 KB leaves room for both and still bounds what one request can make a
 * service parse, validate and scan (the PII detectors' scan limit is the same size).
 */
export const DEFAULT_BODY_LIMIT = '256kb';

/** A route allowed a larger body than `DEFAULT_BODY_LIMIT`, e.g. a catalog import. */
export interface LargeBodyRoute {
  method: 'POST' | 'PUT' | 'PATCH';
  /** Matched against the request path (no query string). */
  path: RegExp;
  /** A body-parser size, e.g. `8mb`. */
  limit: string;
}

/** The JSON parser for every route: the default limit, or the route's own when it has one. */
export function jsonBodyParser(largeBodies: LargeBodyRoute[]): RequestHandler {
  const standard = json({ limit: DEFAULT_BODY_LIMIT });
  const large = largeBodies.map((route) => ({ ...route, parse: json({ limit: route.limit }) }));
  return (req, res, next) => {
    const route = large.find((r) => r.method === req.method && r.path.test(req.path));
    (route?.parse ?? standard)(req, res, next);
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  length?: number;
}

/**
 * Body-parser failures as the JSON errors every other 4xx is: 413 saying the limit (instead of
 * Express's HTML page), 400 for a body that is not JSON. Anything else goes on to Nest.
 */
export const bodyErrorHandler: ErrorRequestHandler = (error: BodyParserError, req, res, next) => {
  if (error?.type === 'entity.too.large') {
    sendProblem(
      res,
      413,
      `request body of ${error.length} bytes is over the ${error.limit}-byte limit of ${req.method} ${req.path}`,
      req,
    );
    return;
  }
  if (error?.type === 'entity.parse.failed') {
    sendProblem(res, 400, 'request body is not valid JSON', req);
    return;
  }
  next(error);
};
