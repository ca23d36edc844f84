import { PrincipalGuard } from '@agentops/service-runtime';
import { Controller, Get, UseGuards } from '@nestjs/common';
import { BreakerEngine } from './breaker-engine';

/** `GET /v1/breakers`: the loaded definitions and every cohort's state. */
@Controller('v1/breakers')
@UseGuards(PrincipalGuard)
export class BreakersController {
  constructor(private readonly engine: BreakerEngine) {}

  @Get()
  list() {
    return { definitions: this.engine.breakers, states: this.engine.states() };
  }
}
