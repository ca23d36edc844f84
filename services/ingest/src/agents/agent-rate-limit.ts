import { AgentIdentity } from '@agentops/contracts';
import { ApiResponse, LOGGER, REDIS, SERVICE_CONFIG, ServiceMetrics } from '@agentops/service-runtime';
import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { IngestConfig } from '../config';

/** The agent APIs with a budget each, so a telemetry flood does not use up the agent's intents. */
export type AgentApi = 'intents' | 'outcomes' | 'telemetry' | 'traces';

export type RateVerdict =
  | { allowed: true; limit: number; remaining: number; resetMs: number }
  | { allowed: false; limit: number; retryAfterMs: number; firstRefusal: boolean };

/**
 * How many requests an agent may make to each API per window, counted in Redis so every ingest
 * instance shares one budget per (tenant, agent, API): one noisy agent is slowed down alone and
 * cannot starve the others. Once an agent is over, further requests in the window are refused from
 * memory without a Redis round trip; if Redis is down, each instance counts in memory instead of
 * refusing everyone.
 */
@Injectable()
export class AgentRateLimiter {
  private readonly limiter: RateLimiterAbstract | null;
  private readonly throttled: Counter<'api' | 'tenant'>;
  readonly limit: number;
  readonly windowSeconds: number;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(SERVICE_CONFIG) config: IngestConfig,
    metrics: ServiceMetrics,
  ) {
    this.throttled = new Counter({
      name: 'agentops_ingest_throttled_total',
      help: 'Agent requests refused with 429 because the agent was over its rate limit',
      labelNames: ['api', 'tenant'],
      registers: [metrics.registry],
    });
    this.limit = config.AGENT_RATE_LIMIT_REQUESTS;
    this.windowSeconds = config.AGENT_RATE_LIMIT_WINDOW_SECONDS;
    const budget = { points: this.limit, duration: this.windowSeconds };
    this.limiter =
      this.limit === 0
        ? null
        : new RateLimiterRedis({
            ...budget,
            storeClient: redis,
            keyPrefix: `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}ingest:rate`,
            inMemoryBlockOnConsumed: this.limit + 1,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(budget),
          });
  }

  async consume(agent: Pick<AgentIdentity, 'tenantId' | 'id'>, api: AgentApi): Promise<RateVerdict> {
    if (!this.limiter) return { allowed: true, limit: Infinity, remaining: Infinity, resetMs: 0 };
    try {
      const res = await this.limiter.consume(`${agent.tenantId}:${agent.id}:${api}`);
      return { allowed: true, limit: this.limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.throttled.inc({ api, tenant: agent.tenantId });
      return {
        allowed: false,
        limit: this.limit,
        retryAfterMs: rejection.msBeforeNext,
        firstRefusal: rejection.consumedPoints === this.limit + 1,
      };
    }
  }
}

const API = Symbol('agent-rate-limited-api');

/**
 * Refuses an agent over its budget with 429 and `Retry-After`, and says the budget on every answer
 * (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, IETF draft). Runs after
 * `AgentAuthGuard`: the budget is the authenticated agent's, never one the request names.
 */
@Injectable()
export class AgentRateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: AgentRateLimiter,
    private readonly reflector: Reflector,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const api = this.reflector.get<AgentApi>(API, context.getHandler());
    const http = context.switchToHttp();
    const agent = http.getRequest<{ agent?: AgentIdentity }>().agent;
    if (!api || !agent) throw new Error('AgentRateLimitGuard needs @AgentRateLimited after AgentAuthGuard');
    const verdict = await this.limiter.consume(agent, api);
    const res = http.getResponse<Response>();
    if (verdict.allowed) {
      if (Number.isFinite(verdict.limit)) {
        res.setHeader('RateLimit-Limit', String(verdict.limit));
        res.setHeader('RateLimit-Remaining', String(verdict.remaining));
        res.setHeader('RateLimit-Reset', String(Math.ceil(verdict.resetMs / 1000)));
      }
      return true;
    }
    const retryAfter = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    // Once per agent and window: a flood must not also flood the logs.
    if (verdict.firstRefusal)
      this.logger.warn({ agentId: agent.id, tenantId: agent.tenantId, api }, 'agent over its rate limit');
    res.setHeader('Retry-After', String(retryAfter));
    res.setHeader('RateLimit-Limit', String(verdict.limit));
    res.setHeader('RateLimit-Remaining', '0');
    res.setHeader('RateLimit-Reset', String(retryAfter));
    throw new HttpException(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `agent ${agent.id} is over its rate limit for ${api} (${verdict.limit} requests per ${this.limiter.windowSeconds} s); retry after ${retryAfter} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** On an agent API handler: counts the request against the agent's budget for `api`. */
export const AgentRateLimited = (api: AgentApi) =>
  applyDecorators(
    SetMetadata(API, api),
    UseGuards(AgentRateLimitGuard),
    ApiResponse(429, undefined, 'the agent is over its rate limit; `Retry-After` says when to retry'),
  );
