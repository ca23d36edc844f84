import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceMetrics } from './metrics';
import { ReadinessRegistry, runReadinessChecks } from './readiness';

/**
 * Probes and metrics are operational endpoints read by the orchestrator and Prometheus on the
 * pod network; they expose no business data, so they are not behind API authentication.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: ServiceMetrics,
  ) {}

  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'live' };
  }

  @Get('health/ready')
  async ready(@Res() res: Response) {
    const report = await runReadinessChecks(this.readiness.all());
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not-ready', ...report });
  }

  @Get('metrics')
  async metricsText(@Res() res: Response) {
    res.setHeader('content-type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
