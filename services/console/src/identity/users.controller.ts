import {
  ALL_TENANTS,
  CurrentPrincipal,
  HumanRoles,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
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
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { hashPassword, passwordProblem } from './password';
import { UserRepository } from './user-repository';

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

const CreateUser = z
  .object({
    id: UserId,
    tenantId: TenantId,
    displayName: z.string().min(1).max(200).optional(),
    roles: Roles,
    password: z.string().min(1).max(256),
  })
  .strict();
const ChangeUser = z
  .object({
    displayName: z.string().min(1).max(200).optional(),
    roles: Roles.optional(),
    password: z.string().min(1).max(256).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

/** User administration for admins, within their tenant; only the operator creates cross-tenant users. */
@Controller('v1/users')
@UseGuards(PrincipalGuard)
@RequireRoles('admin')
export class UsersController {
  constructor(private readonly users: UserRepository) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query('tenantId') tenantId?: string) {
    const tenant = principal.tenantId === ALL_TENANTS ? tenantId : principal.tenantId;
    return { users: await this.users.list(tenant) };
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
    await this.users.update(id, {
      roles: body.roles,
      displayName: body.displayName,
      disabled: body.disabled,
      passwordHash: body.password ? await hashPassword(body.password) : undefined,
    });
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
