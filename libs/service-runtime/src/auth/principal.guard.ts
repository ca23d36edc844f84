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
import { createHash, timingSafeEqual } from 'node:crypto';
import { CommonEnv } from '../config';
import { SERVICE_CONFIG } from '../tokens';
import { ALL_TENANTS, HumanRole, Principal, canAccessTenant, hasAnyRole } from './principal';
import { verifyUserToken } from './user-token';

const ROLES_KEY = 'agentops:roles';

/** Roles allowed on a route (admin always is). Without it, any authenticated human may call. */
export const RequireRoles = (...roles: HumanRole[]) => SetMetadata(ROLES_KEY, roles);

interface PrincipalRequest {
  headers: Record<string, string | undefined>;
  principal?: Principal;
}

/**
 * Authenticates humans and the platform operator on every non-agent API:
 * `Authorization: Bearer <user JWT>` or the operator token (admin of every tenant). 401 when the
 * caller is unknown, 403 when their roles do not allow the route.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  private readonly operatorDigest: Buffer;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: CommonEnv,
    private readonly reflector: Reflector,
  ) {
    this.operatorDigest = createHash('sha256').update(config.OPERATOR_TOKEN).digest();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PrincipalRequest>();
    const token = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '')?.[1];
    if (!token) throw new UnauthorizedException('missing bearer token');
    const principal = this.isOperatorToken(token) ? operator() : await this.verify(token);
    req.principal = principal;
    const required = this.reflector.getAllAndOverride<HumanRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required?.length && !hasAnyRole(principal, required)) {
      throw new ForbiddenException(`requires one of the roles: ${required.join(', ')}`);
    }
    return true;
  }

  private isOperatorToken(token: string): boolean {
    return timingSafeEqual(createHash('sha256').update(token).digest(), this.operatorDigest);
  }

  private async verify(token: string): Promise<Principal> {
    try {
      return await verifyUserToken(token, this.config.AUTH_JWT_SECRET);
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
  }
}

function operator(): Principal {
  return { kind: 'operator', id: 'operator', tenantId: ALL_TENANTS, roles: ['admin'], groups: [] };
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
