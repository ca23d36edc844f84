import {
  ALL_TENANTS,
  CurrentPrincipal,
  HumanRoles,
  PageQuery,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
  tenantOfRead,
} from '@agentops/service-runtime';
import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { hashPassword, passwordProblem } from './password';
import { TokenRevocations } from './token-revocations';
import { UserRepository } from './user-repository';

const UserListQuery = PageQuery.extend({ tenantId: z.string().max(100).optional() });

const UserId = z
  .string()
  .min(2)
  .max(100)
  .regex(/^[a-zA-Z0-9._@+-]+$/, 'letters, digits and . _ @ + - only');
const TenantId = z.union([
  z.literal(ALL_TENANTS),
  z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id'),
]);
const Roles = z.array(z.enum(HumanRoles)).min(1).max(HumanRoles.length);
/** Reviewer groups, as escalation routes name them (`service-leads`, `brand-pricing`, …). */
const Groups = z
  .array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a group name: lowercase letters, digits, . _ -'))
  .max(32)
  .transform((groups) => [...new Set(groups)]);

const CreateUser = z
  .object({
    id: UserId,
    tenantId: TenantId,
    displayName: z.string().min(1).max(200).optional(),
    roles: Roles,
    groups: Groups.optional(),
    password: z.string().min(1).max(256),
  })
  .strict();
const ChangeUser = z
  .object({
    displayName: z.string().min(1).max(200).optional(),
    roles: Roles.optional(),
    groups: Groups.optional(),
    password: z.string().min(1).max(256).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

/**
 * User administration for admins, within their tenant; only the operator creates cross-tenant
 * users. A change of roles, groups, password or disabled state revokes the user's tokens at every
 * service (token epoch), so it takes effect at once, not when the token expires.
 */
@Controller('v1/users')
@UseGuards(PrincipalGuard)
@RequireRoles('admin')
export class UsersController {
  constructor(
    private readonly users: UserRepository,
    private readonly revocations: TokenRevocations,
  ) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(UserListQuery)) q: z.infer<typeof UserListQuery>,
  ) {
    const { items, next } = await this.users.list(tenantOfRead(principal, q.tenantId), q);
    return { users: items, next };
  }

  @Post()
  @HttpCode(201)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(CreateUser)) body: z.infer<typeof CreateUser>,
  ) {
    assertTenantAccess(principal, body.tenantId);
    assertAcceptablePassword(body.password, body.id);
    const created = await this.users.create(
      {
        id: body.id,
        tenantId: body.tenantId,
        displayName: body.displayName ?? body.id,
        roles: body.roles,
        groups: body.groups ?? [],
        passwordHash: await hashPassword(body.password),
      },
      principal.id,
    );
    if (!created) throw new ConflictException(`user ${body.id} already exists`);
    return { user: (await this.users.findWithHash(body.id))!.user };
  }

  @Patch(':id')
  async change(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(ChangeUser)) body: z.infer<typeof ChangeUser>,
  ) {
    const found = await this.users.findWithHash(id);
    if (!found || (principal.tenantId !== ALL_TENANTS && found.user.tenantId !== principal.tenantId))
      throw new NotFoundException(`no user ${id}`);
    if (principal.kind === 'human' && principal.id === id && body.roles && !body.roles.includes('admin'))
      throw new ForbiddenException('admins cannot remove their own admin role');
    if (body.password) assertAcceptablePassword(body.password, id);
    const { tokenEpoch, accessChanged } = await this.users.update(id, {
      roles: body.roles,
      groups: body.groups,
      displayName: body.displayName,
      disabled: body.disabled,
      passwordHash: body.password ? await hashPassword(body.password) : undefined,
    });
    if (accessChanged) {
      try {
        await this.revocations.revokeUser(id, tokenEpoch);
      } catch {
        // Saved, but the services were not told: say so; repeating the request announces it again.
        throw new ServiceUnavailableException(
          `user ${id} changed, but revoking their tokens at the services failed (Redis); repeat the request`,
        );
      }
    }
    return { user: (await this.users.findWithHash(id))!.user };
  }
}

/** A 400 naming the `password` field and why, as the validation pipe names other fields. */
function assertAcceptablePassword(password: string, userId: string): void {
  const problem = passwordProblem(password, userId);
  if (problem)
    throw new BadRequestException({
      statusCode: 400,
      message: `password: ${problem}`,
      issues: [{ path: 'password', message: problem }],
    });
}
