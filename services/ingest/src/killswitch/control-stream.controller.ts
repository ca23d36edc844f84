import { AgentIdentity } from '@agentops/contracts';
import { ActiveSwitch, KillSwitchSet } from '@agentops/killswitch-client';
import { selectorCoversAgent } from '@agentops/cohort-selector';
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/control/stream` (Server-Sent Events, API-key auth): an agent listens here and halts when
 * a switch covering its cohort is flipped (`event: halt`), and may resume on `event: resume`. On
 * connect it first receives a halt for every switch already covering it. A switch limited to an
 * action pattern still halts the agent's cohort; `selector.action` tells the agent which actions.
 */
@Controller('v1/control')
@UseGuards(AgentAuthGuard)
export class ControlStreamController {
  constructor(private readonly switches: KillSwitchSet) {}

  @Get('stream')
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
    const heartbeat = setInterval(() => res.write(`: keep-alive\n\n`), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }
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
