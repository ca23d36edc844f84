import { Random } from './random';
import { api } from './platform-api';

export interface ReviewerSettings {
  escalationUrl: string;
  /** Two distinct humans, so four-eyes tasks can be approved. */
  tokens: [string, string];
  approveRate: number;
  delayMs: number;
}

export interface ReviewerStats {
  approved: number;
  rejected: number;
  failed: number;
}

interface Task {
  id: string;
  status: string;
  createdAt?: string;
}

/**
 * A simulated reviewer: polls the queue, waits its "reading time", then approves or rejects by the
 * configured mix; a task that still needs a second approver (four-eyes) gets one from the lead.
 */
export class SimulatedReviewer {
  readonly stats: ReviewerStats = { approved: 0, rejected: 0, failed: 0 };
  private stopped = false;
  private readonly seen = new Set<string>();

  constructor(
    private readonly settings: ReviewerSettings,
    private readonly rnd: Random,
  ) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const { tasks } = await api<{ tasks: Task[] }>(
          'GET',
          `${this.settings.escalationUrl}/v1/escalations?status=open&limit=100`,
          this.settings.tokens[0],
        );
        for (const task of tasks) {
          if (this.seen.has(task.id)) continue;
          this.seen.add(task.id);
          void this.decide(task.id);
        }
      } catch {
        this.stats.failed++;
      }
      await sleep(300);
    }
  }

  private async decide(id: string): Promise<void> {
    await sleep(this.settings.delayMs * (0.5 + this.rnd.next()));
    const base = `${this.settings.escalationUrl}/v1/escalations/${id}`;
    try {
      if (this.rnd.chance(this.settings.approveRate)) {
        const first = await api<{ status?: string }>('POST', `${base}/approve`, this.settings.tokens[0], {
          comment: 'checked against the client file',
        });
        if (first?.status === 'open' || first?.status === 'awaiting_second_approval') {
          await sleep(200);
          await api('POST', `${base}/approve`, this.settings.tokens[1], {
            comment: 'second approval (four-eyes)',
          });
        }
        this.stats.approved++;
      } else {
        await api('POST', `${base}/reject`, this.settings.tokens[0], { comment: 'not justified' });
        this.stats.rejected++;
      }
    } catch {
      this.stats.failed++;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
