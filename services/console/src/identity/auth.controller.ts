import {
  CurrentPrincipal,
  LOGGER,
  Principal,
  PrincipalGuard,
  SERVICE_CONFIG,
  ServiceMetrics,
  ZodValidationPipe,
  mintUserToken,
} from '@agentops/service-runtime';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { Counter } from 'prom-client';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConsoleConfig } from '../config';
import { LoginThrottle } from './login-throttle';
import { DECOY_HASH, verifyPassword } from './password';
import { clearedSessionCookie, sessionCookie } from './session-cookie';
import { UserRepository } from './user-repository';

const LoginBody = z
  .object({
    username: z.string().min(1).max(100),
    password: z.string().min(1).max(256),
    /** For API clients such as the CLI; the browser keeps the token in the HttpOnly cookie only. */
    returnToken: z.boolean().optional(),
  })
  .strict();

/** Logs name the user by a short digest: user ids are often e-mail addresses. */
const userRef = (username: string) => createHash('sha256').update(username).digest('hex').slice(0, 12);

/**
 * Sign-in for the console and the CLI: a password check issues the same signed user token
 * (tenant + roles) every service verifies. The console gets it as an HttpOnly cookie, the CLI
 * (asking with `returnToken: true`) also in the body.
 */
@Controller('v1/auth')
export class AuthController {
  /** Sign-ins by outcome: a climbing `refused` or `locked` is someone guessing passwords. */
  private readonly signIns: Counter<'outcome'>;

  constructor(
    private readonly users: UserRepository,
    private readonly throttle: LoginThrottle,
    @Inject(SERVICE_CONFIG) private readonly config: ConsoleConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.signIns = new Counter({
      name: 'agentops_console_sign_ins_total',
      help: 'Console and CLI sign-ins by outcome (ok, refused, locked)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodValidationPipe(LoginBody)) body: z.infer<typeof LoginBody>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const lockedFor = await this.throttle.lockedFor(body.username);
    if (lockedFor > 0) {
      this.signIns.inc({ outcome: 'locked' });
      res.setHeader('Retry-After', String(lockedFor));
      throw new HttpException(
        `too many failed sign-ins; try again in ${Math.ceil(lockedFor / 60)} min`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const found = await this.users.findWithHash(body.username);
    // Always pay for one hash, so response time does not tell whether the user exists.
    const passwordOk = await verifyPassword(body.password, found?.passwordHash ?? DECOY_HASH);
    if (!found || !passwordOk || found.user.disabled) {
      await this.throttle.recordFailure(body.username);
      this.signIns.inc({ outcome: 'refused' });
      this.logger.warn({ user: userRef(body.username) }, 'sign-in refused');
      throw new UnauthorizedException('invalid username or password');
    }
    const { user } = found;
    await this.throttle.reset(body.username);
    this.signIns.inc({ outcome: 'ok' });
    await this.users.recordLogin(user.id);
    const ttl = this.config.SESSION_TTL_SECONDS;
    const token = await mintUserToken(
      { userId: user.id, tenantId: user.tenantId, roles: user.roles, ttlSeconds: ttl },
      this.config.AUTH_JWT_SECRET,
    );
    res.setHeader('Set-Cookie', sessionCookie(token, ttl, this.config.COOKIE_SECURE));
    this.logger.info({ user: userRef(user.id), roles: user.roles }, 'signed in');
    return {
      // Not in the browser's answer: page script never holds the token the cookie protects.
      ...(body.returnToken ? { token } : {}),
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
      user: { id: user.id, tenantId: user.tenantId, roles: user.roles, displayName: user.displayName },
    };
  }

  @Post('logout')
  @HttpCode(204)
  logout(@Res({ passthrough: true }) res: Response): void {
    res.setHeader('Set-Cookie', clearedSessionCookie(this.config.COOKIE_SECURE));
  }

  /** Who the session belongs to; 401 (the console shows sign-in) when none or the user was disabled. */
  @Get('me')
  @UseGuards(PrincipalGuard)
  async me(@CurrentPrincipal() principal: Principal) {
    if (principal.kind === 'operator')
      return {
        user: {
          id: 'operator',
          tenantId: principal.tenantId,
          roles: principal.roles,
          displayName: 'Platform operator',
        },
      };
    const found = await this.users.findWithHash(principal.id);
    if (!found || found.user.disabled) throw new UnauthorizedException('user no longer active');
    return {
      user: {
        id: principal.id,
        tenantId: principal.tenantId,
        roles: principal.roles,
        displayName: found.user.displayName,
      },
    };
  }
}
