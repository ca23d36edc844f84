import { EventEnvelope, KillSwitchChangedV1 } from '@agentops/contracts';
import { Clock, ManualClock, Page, PageRequest } from '@agentops/service-runtime';
import type { Logger } from 'pino';
import { KnownAgents } from '../../agents/known-agents';
import { AgentDirectory } from '../../agents/testing/agent-doubles';
import { SwitchCommands } from '../switch-commands';
import { SwitchFanout } from '../switch-fanout';
import {
  HISTORY_KEYSET,
  HistoryEntry,
  SWITCHES_KEYSET,
  SwitchRecord,
  SwitchRepository,
} from '../switch-repository';

/**
 * Test doubles for the switch use cases: switches and their history in memory with the
 * repository's semantics (expiry by the given clock, newest first, releases idempotent), and a
 * fan-out that records what it sent. The SQL is tested on PostgreSQL by the killswitch e2e suites.
 */
export class InMemorySwitchRepository implements Pick<SwitchRepository, keyof SwitchRepository> {
  private readonly switches = new Map<string, SwitchRecord>();
  private readonly entries: (HistoryEntry & { tenantId: string | null })[] = [];

  constructor(private readonly clock: Clock) {}

  async insertFlip(event: EventEnvelope<KillSwitchChangedV1>): Promise<SwitchRecord> {
    const d = event.data;
    if (this.switches.has(d.switchId)) throw new Error(`duplicate switch ${d.switchId}`);
    const row: SwitchRecord = {
      id: d.switchId,
      tenantId: d.selector.tenantId ?? null,
      selector: d.selector,
      state: 'active',
      actor: d.actor,
      reason: d.reason,
      ticket: d.ticket ?? null,
      expiresAt: d.expiresAt ? new Date(d.expiresAt).toISOString() : null,
      flippedAt: new Date(d.changedAt).toISOString(),
      releasedAt: null,
      releasedBy: null,
      releaseReason: null,
      lastEvent: event,
    };
    this.switches.set(d.switchId, row);
    this.appendHistory(event);
    return { ...row };
  }

  async release(
    id: string,
    build: (row: SwitchRecord) => EventEnvelope<KillSwitchChangedV1>,
  ): Promise<{ row: SwitchRecord; event?: EventEnvelope<KillSwitchChangedV1> } | null> {
    const row = this.switches.get(id);
    if (!row) return null;
    if (row.state === 'released') return { row: { ...row } };
    const event = build({ ...row });
    const released: SwitchRecord = {
      ...row,
      state: 'released',
      releasedAt: new Date(event.data.changedAt).toISOString(),
      releasedBy: event.data.actor,
      releaseReason: event.data.reason,
      lastEvent: event,
    };
    this.switches.set(id, released);
    this.appendHistory(event);
    return { row: { ...released }, event };
  }

  async find(id: string): Promise<SwitchRecord | null> {
    const row = this.switches.get(id);
    return row ? { ...row } : null;
  }

  async list(
    state: 'active' | 'all',
    tenantId: string | undefined,
    page: PageRequest,
  ): Promise<Page<SwitchRecord>> {
    const after = SWITCHES_KEYSET.after(page);
    const rows = [...this.switches.values()]
      .filter((r) => state === 'all' || (r.state === 'active' && !this.expired(r)))
      .filter((r) => tenantId === undefined || r.tenantId === tenantId)
      .sort((a, b) => b.flippedAt.localeCompare(a.flippedAt) || b.id.localeCompare(a.id))
      .filter((r) => !after || r.flippedAt < after[0] || (r.flippedAt === after[0] && r.id < after[1]))
      .slice(0, page.limit + 1)
      .map((r) => ({ ...r }));
    return SWITCHES_KEYSET.page(rows, page.limit, (r) => [r.flippedAt, r.id]);
  }

  async history(
    switchId: string | undefined,
    tenantId: string | undefined,
    page: PageRequest,
  ): Promise<Page<HistoryEntry>> {
    const after = HISTORY_KEYSET.after(page);
    const rows = this.entries
      .filter((e) => !switchId || e.switchId === switchId)
      .filter((e) => tenantId === undefined || e.tenantId === tenantId)
      .filter((e) => !after || Number(e.seq) < Number(after[0]))
      .sort((a, b) => Number(b.seq) - Number(a.seq))
      .slice(0, page.limit + 1)
      .map(({ tenantId: _tenantId, ...e }) => e);
    return HISTORY_KEYSET.page(rows, page.limit, (e) => [e.seq]);
  }

  async dueForExpiry(): Promise<string[]> {
    return [...this.switches.values()]
      .filter((r) => r.state === 'active' && this.expired(r))
      .map((r) => r.id);
  }

  async activeEvents(): Promise<EventEnvelope<KillSwitchChangedV1>[]> {
    return [...this.switches.values()].filter((r) => r.state === 'active').map((r) => r.lastEvent);
  }

  private expired(r: SwitchRecord): boolean {
    return r.expiresAt !== null && Date.parse(r.expiresAt) <= this.clock.now().getTime();
  }

  private appendHistory(event: EventEnvelope<KillSwitchChangedV1>): void {
    const d = event.data;
    this.entries.push({
      seq: String(this.entries.length + 1),
      switchId: d.switchId,
      tenantId: d.selector.tenantId ?? null,
      eventId: event.id,
      state: d.state,
      actor: d.actor,
      reason: d.reason,
      at: new Date(d.changedAt).toISOString(),
    });
  }
}

/** The fan-out (Redis + compacted topic) recorded: every change event it was given, in order. */
export class RecordingFanout implements Pick<SwitchFanout, 'publish'> {
  readonly published: EventEnvelope<KillSwitchChangedV1>[] = [];

  async publish(event: EventEnvelope<KillSwitchChangedV1>): Promise<void> {
    this.published.push(event);
  }
}

/** SwitchCommands over switches, fan-out and agents in memory and a clock the test moves. */
export function switchCommands(start = '2026-03-02T09:00:00.000Z') {
  const clock = new ManualClock(start);
  const repo = new InMemorySwitchRepository(clock);
  const fanout = new RecordingFanout();
  const agents = new AgentDirectory();
  const logger = { warn: () => undefined, info: () => undefined } as unknown as Logger;
  const commands = new SwitchCommands(
    repo as unknown as SwitchRepository,
    fanout as unknown as SwitchFanout,
    agents as unknown as KnownAgents,
    clock,
    logger,
    'agentops/killswitch',
  );
  return { commands, repo, fanout, agents, clock };
}
