import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EscalationConfig } from '../config';
import { Notifier } from '../notify/notifier';
import { onSlaBreach } from '../routing/routing-rules';
import { TaskRow } from '../tasks/task-model';
import { TaskWorkflow } from '../tasks/task-workflow';

/**
 * SLA timers live in the database (`tasks.due_at`), so they survive restarts. Every instance polls;
 * FOR UPDATE SKIP LOCKED hands each breached task to exactly one of them. A breach moves the task
 * to the next tier's group; after the last tier, the route's timeout outcome is the final decision.
 */
@Injectable()
export class SlaScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private lastPurge = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workflow: TaskWorkflow,
    private readonly notifier: Notifier,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Handles the tasks due now; returns how many. */
  async tick(now = new Date()): Promise<number> {
    const notices: { url?: string; text: string }[] = [];
    const handled = await this.dataSource.transaction(async (m) => {
      const due: TaskRow[] = await m.query(
        `SELECT * FROM tasks WHERE status = 'open' AND due_at <= $1 ORDER BY due_at LIMIT 50 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      for (const task of due) {
        const breach = onSlaBreach(task.route_spec, task.tier, now);
        if (breach.kind === 'next-tier') {
          const what = `SLA breached at tier ${task.tier} (${task.reviewer_group}); escalated to tier ${breach.tier} (${breach.group})`;
          await m.query(
            `UPDATE tasks SET tier = $2, reviewer_group = $3, due_at = $4, claimed_by = NULL, history = $5, updated_at = $6 WHERE id = $1`,
            [
              task.id,
              breach.tier,
              breach.group,
              breach.dueAt,
              JSON.stringify([...task.history, { at: now.toISOString(), by: 'sla', what }]),
              now,
            ],
          );
          notices.push({
            url: task.route_spec.notifyUrl,
            text: `Escalation ${task.id} (${task.action}): ${what}, due ${breach.dueAt.toISOString()}`,
          });
        } else {
          await this.workflow.resolve(m, task, {
            resolution: 'timed_out',
            verdict: breach.outcome,
            decidedBy: 'timeout',
            reviewers: [],
            by: 'sla',
            message: `no review within the SLA of route ${task.route} (last tier ${task.reviewer_group}); timeout outcome ${breach.outcome}`,
          });
          notices.push({
            url: task.route_spec.notifyUrl,
            text: `Escalation ${task.id} (${task.action}) timed out: ${breach.outcome}`,
          });
        }
      }
      return due.length;
    });
    for (const n of notices) this.notifier.notify(n.url, n.text);
    return handled;
  }

  /**
   * Housekeeping: every proposal is stored (the decision carries no params), so proposals, verdicts
   * that never met their intent, sent outbox rows and delivered callbacks expire after the retention.
   */
  async purge(now = new Date()): Promise<void> {
    const before = new Date(now.getTime() - this.config.ESCALATION_RETENTION_HOURS * 3600_000);
    await this.dataSource.query(`DELETE FROM intents WHERE received_at < $1`, [before]);
    await this.dataSource.query(`DELETE FROM escalated_decisions WHERE received_at < $1`, [before]);
    await this.dataSource.query(`DELETE FROM outbox WHERE sent_at < $1`, [before]);
    await this.dataSource.query(
      `DELETE FROM callbacks WHERE delivered_at < $1 OR (delivered_at IS NULL AND created_at < $1)`,
      [before],
    );
    this.lastPurge = now.getTime();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (Date.now() - this.lastPurge > 3600_000)
        void this.purge().catch((error: Error) =>
          this.logger.warn({ err: error }, 'escalation purge failed'),
        );
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn({ err: error }, 'SLA scheduler tick failed; will retry'))
        .finally(() => this.schedule());
    }, this.config.ESCALATION_SLA_POLL_MS);
  }
}
