import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '@agentops/service-runtime';
import { CSRF_HEADER, sessionAuth } from './session-cookie';

/**
 * Every console request: the session cookie turned into the bearer header that PrincipalGuard and
 * the proxied services check. Login and health need no session. (The browser-hardening headers are
 * every service's, from libs/service-runtime's securityHeaders.)
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const auth = sessionAuth(req);
    if (auth.kind === 'csrf-missing' && req.path !== '/v1/auth/login') {
      sendProblem(res, 403, `missing ${CSRF_HEADER} header on a cookie-authenticated change`, req);
      return;
    }
    if (auth.kind === 'cookie') req.headers['authorization'] = auth.authorization;
    next();
  }
}
