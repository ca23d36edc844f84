import { EscalationTask, EscalationTaskList } from '@agentops/contracts';
import {
  ApiResponse,
  CurrentPrincipal,
  PageQuery,
  Principal,
  PrincipalGuard,
  RequireRoles,
  UuidParam,
  ZodValidationPipe,
} from '@agentops/service-runtime';
import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ReviewService } from '../review/review.service';

const ListQuery = z
  .object({
    status: z.enum(['open', 'resolved']).optional(),
    group: z.string().max(100).optional(),
    route: z.string().max(100).optional(),
    agentId: z.string().max(100).optional(),
    action: z.string().max(100).optional(),
    tenantId: z.string().max(100).optional(),
    ...PageQuery.shape,
  })
  .strict();
const ApproveBody = z
  .object({ comment: z.string().max(4000).optional(), params: z.record(z.string(), z.unknown()).optional() })
  .strict();
const RejectBody = z.object({ comment: z.string().max(4000).optional() }).strict();
const CommentBody = z.object({ text: z.string().min(1).max(4000) }).strict();

/** The reviewer queue: reviewers, leads and admins of the task's tenant. */
@Controller('v1/escalations')
@UseGuards(PrincipalGuard)
@RequireRoles('reviewer', 'lead')
export class TasksController {
  constructor(private readonly review: ReviewService) {}

  @Get()
  @ApiResponse(
    200,
    EscalationTaskList,
    "a page of the caller's tenant's tasks: open ones by due time, resolved ones newest first",
  )
  async list(
    @CurrentPrincipal() p: Principal,
    @Query(new ZodValidationPipe(ListQuery)) q: z.infer<typeof ListQuery>,
  ) {
    const { items, next } = await this.review.list(p, q);
    return { tasks: items, next };
  }

  @Get(':id')
  @ApiResponse(200, EscalationTask, 'the task')
  get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string) {
    return this.review.get(p, id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiResponse(200, EscalationTask, 'the task, claimed by the caller')
  @ApiResponse(409, undefined, 'claimed by someone else, or already resolved')
  claim(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string) {
    return this.review.claim(p, id);
  }

  /** Approve; with `params`, approve with changes (re-checked by guardrail: 422 if it would be denied). */
  @Post(':id/approve')
  @HttpCode(200)
  @ApiResponse(200, EscalationTask, 'the task with the approval (resolved once enough approvals count)')
  @ApiResponse(409, undefined, 'claimed by someone else, or already resolved')
  @ApiResponse(422, undefined, 'the changed params would be denied by policy')
  approve(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body(new ZodValidationPipe(ApproveBody)) body: z.infer<typeof ApproveBody>,
  ) {
    return this.review.approve(p, id, body);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiResponse(200, EscalationTask, 'the task, resolved as rejected')
  @ApiResponse(409, undefined, 'claimed by someone else, or already resolved')
  reject(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body(new ZodValidationPipe(RejectBody)) body: z.infer<typeof RejectBody>,
  ) {
    return this.review.reject(p, id, body);
  }

  @Post(':id/comments')
  @HttpCode(200)
  @ApiResponse(200, EscalationTask, 'the task with the comment')
  @ApiResponse(409, undefined, 'already resolved')
  comment(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body(new ZodValidationPipe(CommentBody)) body: z.infer<typeof CommentBody>,
  ) {
    return this.review.comment(p, id, body.text);
  }
}
