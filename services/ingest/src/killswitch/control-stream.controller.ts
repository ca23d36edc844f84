import { AgentIdentity, RolloutChangedV1 } from '@agentops/contracts';
import { RolloutFollower } from '@agentops/rollout-client';
import { ActiveSwitch, KillSwitchSet } from '@agentops/killswitch-client';
import { selectorCoversAgent } from '@agentops/cohort-selector';
import { ApiResponse } from '@agentops/service-runtime';
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/control/stream` (Server-Sent Events, API-key auth): an agent listens here and halts when
 * a switch covering its cohort is flipped (`event: halt`), and may resume on `event: resume`. On
 * connect it first receives a halt for every switch already covering it. A switch limited to an
 * action pattern still halts the agent's cohort; `selector.action` tells the agent which actions.
 * It also receives every rollout covering its cohort (`event: rollout`), at connect and on change.
 */
@Controller('v1/control')
@UseGuards(AgentAuthGuard)
export class ControlStreamController {
  constructor(
    private readonly switches: KillSwitchSet,
    private readonly rollouts: RolloutFollower,
  ) {}

  @Get('stream')
  @ApiResponse(
    200,
    { contentType: 'text/event-stream' },
    'Server-Sent Events: `hello`, then `halt`/`resume` for switches covering the agent and `rollout` for rollouts covering it; a comment every 15 s',
  )
  stream(@CurrentAgent() agent: AgentIdentity, @Req() req: Request, @Res() res: Response): void {
    res.status(200);
    res.setHeader('content-type', 'text/event-stream');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('connection', 'keep-alive');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('hello', { agentId: agent.id, activeHalts: this.switches.coveringAgent(agent).length });
    for (const s of this.switches.coveringAgent(agent)) send('halt', haltBody(s));
    const unsubscribe = this.switches.onChange((change) => {
      if (!selectorCoversAgent(change.switch.selector, agent)) return;
      send(change.kind === 'activated' ? 'halt' : 'resume', haltBody(change.switch));
    });
    // The rollouts covering this agent (`event: rollout`): the SDK assigns units locally from them.
    const covers = (r: RolloutChangedV1) =>
      r.tenantId === agent.tenantId && selectorCoversAgent(r.selector, agent);
    for (const r of this.rollouts.ofTenant(agent.tenantId)) if (covers(r)) send('rollout', rolloutBody(r));
    const unfollow = this.rollouts.onChange((r) => {
      if (covers(r)) send('rollout', rolloutBody(r));
    });
    const heartbeat = setInterval(() => res.write(`: keep-alive\n\n`), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      unfollow();
    });
  }
}

function rolloutBody(r: RolloutChangedV1) {
  return {
    rolloutId: r.rolloutId,
    key: r.key,
    unitPath: r.unitPath,
    salt: r.salt,
    baseline: r.baseline,
    candidates: r.candidates,
    status: r.status,
    weights: r.weights,
    generation: r.generation,
  };
}

function haltBody(s: ActiveSwitch) {
  return {
    switchId: s.switchId,
    selector: s.selector,
    reason: s.reason,
    actor: s.actor,
    ticket: s.ticket,
    expiresAt: s.expiresAt,
  };
}
