import type { RequestHandler } from 'express';
import { sendProblem } from './errors/problem';

/**
 * PostgreSQL text cannot hold U+0000, so a NUL reaching a query is a driver error (a 500). A NUL
 * in a URL is refused before any route runs, naming the part it is in (found by the HTTP fuzz
 * suite: `/v1/knowledge/a%00b/versions`). A raw NUL cannot be in a request line; `%00` can.
 */
export const refuseNulInUrl: RequestHandler = (req, res, next) => {
  const at = req.originalUrl.search(/%00/i);
  if (at < 0) return next();
  const query = req.originalUrl.indexOf('?');
  const where = query >= 0 && at > query ? 'query' : 'path';
  sendProblem(
    res,
    400,
    {
      message: `${where}: must not contain a NUL character (%00)`,
      issues: [{ path: where, message: 'must not contain a NUL character (%00)' }],
    },
    // The URL itself is what is wrong: it is not echoed back.
  );
};
