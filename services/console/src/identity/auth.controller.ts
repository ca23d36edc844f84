import {
  BearerAuthenticator,
  CurrentPrincipal,
  LOGGER,
  Principal,
  PrincipalGuard,
  SERVICE_CONFIG,
  ServiceMetrics,
  SigningKeyRing,
  ZodValidationPipe,
  issueUserToken,
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
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Counter } from 'prom-client';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConsoleConfig } from '../config';
import { BreakGlassLog } from './break-glass-log';
import { LoginThrottle } from './login-throttle';
import { DECOY_HASH, verifyPassword } from './password';
import { clearedSessionCookie, sessionCookie } from './session-cookie';
import { TokenRevocations } from './token-revocations';
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
 * (tenant, roles, groups, the user's token epoch) every service verifies. The console gets it as
 * an HttpOnly cookie, the CLI (asking with `returnToken: true`) also in the body. Sign-out revokes
 * the token at every service, not only the cookie.
 */
@Controller('v1/auth')
export class AuthController {
  /** Sign-ins by outcome: a climbing `refused` or `locked` is someone guessing passwords. */
  private readonly signIns: Counter<'outcome'>;

  constructor(
    private readonly users: UserRepository,
    private readonly throttle: LoginThrottle,
    private readonly signer: SigningKeyRing,
    private readonly authenticator: BearerAuthenticator,
    private readonly revocations: TokenRevocations,
    private readonly breakGlass: BreakGlassLog,
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
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    // Counted before the password is checked: parallel guesses each spend an attempt.
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const admission = await this.throttle.admit(body.username, address);
    if (!admission.admitted) {
      this.signIns.inc({ outcome: 'locked' });
      res.setHeader('Retry-After', String(admission.retryAfterSeconds));
      throw new HttpException(
        `too many failed sign-ins; try again in ${Math.ceil(admission.retryAfterSeconds / 60)} min`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const found = await this.users.findWithHash(body.username);
    // Always pay for one hash, so response time does not tell whether the user exists.
    const passwordOk = await verifyPassword(body.password, found?.passwordHash ?? DECOY_HASH);
    if (!found || !passwordOk || found.user.disabled) {
      this.signIns.inc({ outcome: 'refused' });
      this.logger.warn({ user: userRef(body.username) }, 'sign-in refused');
      throw new UnauthorizedException('invalid username or password');
    }
    const { user } = found;
    await this.throttle.succeeded(body.username, address);
    this.signIns.inc({ outcome: 'ok' });
    await this.users.recordLogin(user.id);
    const ttl = this.config.SESSION_TTL_SECONDS;
    const { token, expiresAt } = issueUserToken(
      {
        userId: user.id,
        tenantId: user.tenantId,
        roles: user.roles,
        groups: user.groups,
        epoch: user.tokenEpoch,
        ttlSeconds: ttl,
      },
      this.signer,
    );
    res.setHeader('Set-Cookie', sessionCookie(token, ttl, this.config.COOKIE_SECURE));
    this.logger.info({ user: userRef(user.id), roles: user.roles }, 'signed in');
    return {
      // Not in the browser's answer: page script never holds the token the cookie protects.
      ...(body.returnToken ? { token } : {}),
      expiresAt: expiresAt.toISOString(),
      user: {
        id: user.id,
        tenantId: user.tenantId,
        roles: user.roles,
        groups: user.groups,
        displayName: user.displayName,
      },
    };
  }

  /**
   * Ends the session: the presented token (cookie or bearer) is revoked at every service and the
   * cookie cleared. 204 whether or not a valid token came with it, so it can always be called.
   */
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    res.setHeader('Set-Cookie', clearedSessionCookie(this.config.COOKIE_SECURE));
    const token = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '')?.[1];
    if (!token) return;
    const session = await this.authenticator.authenticate(token).catch(() => undefined);
    if (!session?.tokenId || !session.expiresAt) return;
    await this.revocations.revokeToken(session.tokenId, session.expiresAt);
    if (session.principal.kind === 'operator') await this.breakGlass.markRevoked(session.tokenId);
    this.logger.info(
      { user: session.principal.kind === 'human' ? userRef(session.principal.id) : 'operator' },
      'signed out',
    );
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
          groups: principal.groups,
          displayName: 'Platform operator (break-glass)',
        },
      };
    const found = await this.users.findWithHash(principal.id);
    if (!found || found.user.disabled) throw new UnauthorizedException('user no longer active');
    return {
      user: {
        id: principal.id,
        tenantId: principal.tenantId,
        roles: principal.roles,
        groups: principal.groups,
        displayName: found.user.displayName,
      },
    };
  }
}
