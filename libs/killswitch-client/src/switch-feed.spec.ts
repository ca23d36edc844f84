import { KillSwitchChangedV1 } from '@agentops/contracts';
import { SwitchFeed } from './switch-feed';
import { KillSwitchSet } from './switch-set';

const agent = { id: 'pricing-1', tenantId: 'maison', role: 'pricing', version: '1.0.0', region: 'eu-west' };
const change = (n: number, over: Partial<KillSwitchChangedV1> = {}): KillSwitchChangedV1 => ({
  switchId: `0190a0a0-0000-7000-8000-${String(n).padStart(12, '0')}`,
  selector: { tenantId: 'maison', role: 'pricing' },
  state: 'active',
  actor: 'sre:alice',
  reason: `flip ${n}`,
  changedAt: '2026-11-24T00:00:00.000Z',
  ...over,
});

describe('SwitchFeed', () => {
  it('hands over the messages written since the last read, oldest first, each once', () => {
    const writer = new SwitchFeed();
    const reader = new SwitchFeed(writer.buffer);
    expect(reader.take()).toEqual([]);
    expect(writer.write('a')).toBe(true);
    expect(writer.write('b – ü')).toBe(true);
    expect(reader.take()).toEqual(['a', 'b – ü']);
    expect(reader.take()).toEqual([]);
    writer.write('c');
    expect(reader.take()).toEqual(['c']);
  });

  it('keeps only the last SLOTS messages for a reader that fell behind', () => {
    const writer = new SwitchFeed();
    const reader = new SwitchFeed(writer.buffer);
    for (let i = 0; i < SwitchFeed.SLOTS + 5; i++) writer.write(`m${i}`);
    const got = reader.take();
    // The oldest slot is the one written next: a reader a whole ring behind drops it too.
    expect(got[got.length - 1]).toBe(`m${SwitchFeed.SLOTS + 4}`);
    expect(got.length).toBeGreaterThanOrEqual(SwitchFeed.SLOTS - 1);
    expect(got).not.toContain('m4');
    expect(got).toEqual([...got].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
  });

  it('refuses a message longer than a slot, leaving the feed as it was', () => {
    const writer = new SwitchFeed();
    const reader = new SwitchFeed(writer.buffer);
    expect(writer.write('x'.repeat(SwitchFeed.SLOT_BYTES + 1))).toBe(false);
    writer.write('after');
    expect(reader.take()).toEqual(['after']);
  });
});

describe('KillSwitchSet reading a feed', () => {
  it('enforces a change written to shared memory at the very next check, with no event-loop turn', () => {
    const writer = new SwitchFeed();
    const reader = new SwitchFeed(writer.buffer);
    const set = new KillSwitchSet();
    set.pullFrom(() => {
      for (const raw of reader.take()) set.apply(JSON.parse(raw) as KillSwitchChangedV1);
    });
    expect(set.check(agent, 'pricing.set_price')).toBeNull();
    writer.write(JSON.stringify(change(1)));
    // Synchronously, in the same turn as the write: nothing else ran in between.
    expect(set.check(agent, 'pricing.set_price')?.switchId).toBe(change(1).switchId);
    writer.write(JSON.stringify(change(1, { state: 'released' })));
    expect(set.list()).toEqual([]);
    writer.write(JSON.stringify(change(2)));
    expect(set.coveringAgent(agent).map((s) => s.switchId)).toEqual([change(2).switchId]);
    set.pullFrom(undefined);
    writer.write(JSON.stringify(change(3)));
    expect(set.size).toBe(1);
  });
});
