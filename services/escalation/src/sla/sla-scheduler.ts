import { Clock, LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CallbackRepository } from '../callbacks/callback-repository';
import { EscalationConfig } from '../config';
import { Notifier } from '../notify/notifier';
import { OutboxRepository } from '../outbox/outbox-repository';
import { onSlaBreach } from '../routing/routing-rules';
import { TaskRepository } from '../tasks/task-repository';
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
    private readonly tasks: TaskRepository,
    private readonly outbox: OutboxRepository,
    private readonly callbacks: CallbackRepository,
    private readonly workflow: TaskWorkflow,
    private readonly notifier: Notifier,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
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
  async tick(now = this.clock.now()): Promise<number> {
    const notices: { url?: string; text: string }[] = [];
    const handled = await this.tasks.transaction(async (tx) => {
      const due = await tx.lockDue(now, 50);
      for (const task of due) {
        const breach = onSlaBreach(task.route_spec, task.tier, now);
        if (breach.kind === 'next-tier') {
          const what = `SLA breached at tier ${task.tier} (${task.reviewer_group}); escalated to tier ${breach.tier} (${breach.group})`;
          await tx.update(task.id, {
            tier: breach.tier,
            reviewer_group: breach.group,
            due_at: breach.dueAt,
            claimed_by: null,
            history: [...task.history, { at: now.toISOString(), by: 'sla', what }],
            updated_at: now,
          });
          notices.push({
            url: task.route_spec.notifyUrl,
            text: `Escalation ${task.id} (${task.action}): ${what}, due ${breach.dueAt.toISOString()}`,
          });
        } else {
          await this.workflow.resolve(tx, task, {
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
  async purge(now = this.clock.now()): Promise<void> {
    const before = new Date(now.getTime() - this.config.ESCALATION_RETENTION_HOURS * 3600_000);
    await this.tasks.purgeReceived(before);
    await this.outbox.purgeSent(before);
    await this.callbacks.purge(before);
    this.lastPurge = now.getTime();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.clock.now().getTime() - this.lastPurge > 3600_000)
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
