import type { NextFunction, Request, Response } from 'express';
import { ServiceMetrics } from './metrics';

/**
 * `agentops_http_request_duration_seconds` by method, route template (`/v1/intents/:intentId/decision`,
 * never the raw path: ids would make a series per request) and status code. Probes and scrapes are
 * left out; a request no route matched is `unmatched`.
 */
export function httpMetrics(metrics: ServiceMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (/^\/(health|metrics)/.test(req.url)) return next();
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({
        method: req.method,
        route: route ? `${req.baseUrl}${route}` : 'unmatched',
        status_code: String(res.statusCode),
      });
    });
    next();
  };
}
