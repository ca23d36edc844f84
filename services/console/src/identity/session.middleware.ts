import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '@agentops/service-runtime';
import { CSRF_HEADER, sessionAuth } from './session-cookie';

/**
 * Every console request: browser hardening headers, and the session cookie turned into the bearer
 * header that PrincipalGuard and the proxied services check. Login and health need no session.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    const auth = sessionAuth(req);
    if (auth.kind === 'csrf-missing' && req.path !== '/v1/auth/login') {
      sendProblem(res, 403, `missing ${CSRF_HEADER} header on a cookie-authenticated change`, req);
      return;
    }
    if (auth.kind === 'cookie') req.headers['authorization'] = auth.authorization;
    next();
  }
}
