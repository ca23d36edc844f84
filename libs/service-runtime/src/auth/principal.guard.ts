import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Logger } from 'pino';
import { LOGGER } from '../tokens';
import { ApiCredentials } from '../openapi/api-metadata';
import { BearerAuthenticator } from './bearer-authenticator';
import { ALL_TENANTS, HumanRole, Principal, canAccessTenant, hasAnyRole } from './principal';

/** Where RequireRoles and AllowServices keep their lists (read by the guard and the OpenAPI description). */
export const ROLES_KEY = 'agentops:roles';
export const SERVICES_KEY = 'agentops:services';

/** Roles allowed on a route (admin always is). Without it, any authenticated human may call. */
export const RequireRoles = (...roles: HumanRole[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Services whose own credentials may call a route (least privilege: a service principal reaches
 * only the routes that name it, whatever their roles say).
 */
export const AllowServices = (...services: string[]) => SetMetadata(SERVICES_KEY, services);

interface PrincipalRequest {
  headers: Record<string, string | undefined>;
  method?: string;
  originalUrl?: string;
  url?: string;
  principal?: Principal;
}

/**
 * Authenticates every non-agent API: `Authorization: Bearer <token>` — a user token signed by
 * the console, a break-glass operator token (admin of every tenant, short-lived; every call is
 * logged), or another service's assertion on a route that allows it. 401 when the caller is
 * unknown, expired or revoked; 403 when the route does not allow them.
 */
@Injectable()
@ApiCredentials('bearerToken')
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly authenticator: BearerAuthenticator,
    private readonly reflector: Reflector,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PrincipalRequest>();
    const token = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '')?.[1];
    if (!token) throw new UnauthorizedException('missing bearer token');
    const { principal, tokenId, reason } = await this.authenticator.authenticate(token);
    const targets = [context.getHandler(), context.getClass()];
    if (principal.kind === 'service') {
      const allowed = this.reflector.getAllAndOverride<string[] | undefined>(SERVICES_KEY, targets);
      if (!allowed?.includes(principal.id))
        throw new ForbiddenException(`service ${principal.id} may not call this route`);
      req.principal = principal;
      return true;
    }
    if (principal.kind === 'operator')
      this.logger.warn(
        {
          breakGlass: tokenId,
          reason,
          method: req.method,
          path: (req.originalUrl ?? req.url)?.split('?')[0],
        },
        'break-glass operator call',
      );
    req.principal = principal;
    const required = this.reflector.getAllAndOverride<HumanRole[] | undefined>(ROLES_KEY, targets);
    if (required?.length && !hasAnyRole(principal, required)) {
      throw new ForbiddenException(`requires one of the roles: ${required.join(', ')}`);
    }
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<PrincipalRequest>().principal;
  if (!principal) throw new UnauthorizedException();
  return principal;
});

/** 403 unless the principal may act on the tenant. */
export function assertTenantAccess(principal: Principal, tenantId: string): void {
  if (!canAccessTenant(principal, tenantId)) throw new ForbiddenException(`no access to tenant ${tenantId}`);
}

/**
 * The tenant a read is limited to: the one the caller names (403 unless it may act on it), else
 * the caller's own; `undefined` for a platform principal that names none (every tenant). A
 * tenant-bound caller naming another tenant is refused, never answered with its own tenant's data,
 * so a wrong `tenantId` cannot look like an empty tenant.
 */
export function tenantOfRead(principal: Principal, requested?: string): string | undefined {
  if (requested) {
    assertTenantAccess(principal, requested);
    return requested;
  }
  return principal.tenantId === ALL_TENANTS ? undefined : principal.tenantId;
}
