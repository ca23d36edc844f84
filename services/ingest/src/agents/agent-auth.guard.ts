import { AgentIdentity } from '@agentops/contracts';
import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { ApiCredentials } from '@agentops/service-runtime';
import { AgentRegistry } from './agent-registry';

interface AgentRequest {
  headers: Record<string, string | undefined>;
  agent?: AgentIdentity;
}

/** Agents authenticate with `x-api-key` (or `Authorization: Bearer aok_...`). */
@Injectable()
@ApiCredentials('agentApiKey')
export class AgentAuthGuard implements CanActivate {
  constructor(private readonly registry: AgentRegistry) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AgentRequest>();
    const bearer = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '')?.[1];
    const presented = req.headers['x-api-key'] ?? bearer;
    if (!presented) throw new UnauthorizedException('missing API key (x-api-key header)');
    const agent = await this.registry.authenticate(presented);
    if (!agent) throw new UnauthorizedException('invalid API key');
    req.agent = agent;
    return true;
  }
}

/** The authenticated agent; its identity comes from the key, never from the request body. */
export const CurrentAgent = createParamDecorator((_: unknown, ctx: ExecutionContext): AgentIdentity => {
  const agent = ctx.switchToHttp().getRequest<AgentRequest>().agent;
  if (!agent) throw new UnauthorizedException();
  return agent;
});
