import { EventTypes } from '@agentops/contracts';
import { ALL_TENANTS, InvalidCursor, PageRequest, Principal } from '@agentops/service-runtime';
import { KillSwitchError, PLATFORM_TENANT } from './switch-commands';
import { switchCommands } from './testing/switch-doubles';

/**
 * The switch use cases over switches, fan-out and known agents in memory (testing/switch-doubles.ts)
 * and a clock the test moves: tenant scoping, store-then-fan-out, idempotent release, expiry and
 * the republication at start.
 */
const T0 = '2026-03-02T09:00:00.000Z';
const MINUTE = 60_000;
const PAGE: PageRequest = { limit: 100 };

const human = (tenantId: string, id = 'sre-1'): Principal => ({
  kind: 'human',
  id,
  tenantId,
  roles: ['sre'],
  groups: [],
});
const operator: Principal = {
  kind: 'operator',
  id: 'op',
  tenantId: ALL_TENANTS,
  roles: ['admin'],
  groups: [],
};

describe('SwitchCommands', () => {
  let w: ReturnType<typeof switchCommands>;
  const maison = human('maison');

  beforeEach(() => {
    w = switchCommands(T0);
    const add = (id: string, tenantId: string, role: string) =>
      w.agents.add({ id, tenantId, role, version: '1', region: 'eu' });
    add('pricing-1', 'maison', 'pricing');
    add('pricing-2', 'maison', 'pricing');
    add('service-1', 'maison', 'service');
    add('pricing-9', 'other', 'pricing');
  });

  describe('flip', () => {
    it("scopes a selector without tenant to the caller's tenant, stores the switch, then fans out its change", async () => {
      const view = await w.commands.flip(maison, {
        selector: { role: 'pricing' },
        reason: 'runaway markdowns',
      });
      expect(view).toMatchObject({
        tenantId: 'maison',
        selector: { role: 'pricing', tenantId: 'maison' },
        state: 'active',
        actor: 'user:sre-1',
        reason: 'runaway markdowns',
        flippedAt: T0,
        expiresAt: null,
      });
      expect(view).not.toHaveProperty('lastEvent');
      expect(w.fanout.published).toHaveLength(1);
      const [event] = w.fanout.published;
      expect(event).toMatchObject({
        type: EventTypes.KillSwitchChanged,
        source: 'agentops/killswitch',
        tenantid: 'maison',
        subject: view.id,
        correlationid: view.id,
        data: { switchId: view.id, state: 'active', changedAt: T0 },
      });
      expect((await w.repo.find(view.id))?.lastEvent).toEqual(event);
    });

    it('refuses a selector naming another tenant (403 code) and stores and sends nothing', async () => {
      const flip = w.commands.flip(maison, { selector: { tenantId: 'other' }, reason: 'x' });
      await expect(flip).rejects.toThrow(KillSwitchError);
      await expect(flip).rejects.toMatchObject({ code: 'forbidden' });
      expect((await w.repo.list('all', undefined, PAGE)).items).toEqual([]);
      expect(w.fanout.published).toEqual([]);
    });

    it('turns ttlSeconds into an expiry counted from the clock', async () => {
      const view = await w.commands.flip(maison, { selector: {}, reason: 'x', ttlSeconds: 90 });
      expect(view.expiresAt).toBe('2026-03-02T09:01:30.000Z');
    });

    it('lets the operator flip a platform-wide switch, published under the platform tenant', async () => {
      const view = await w.commands.flip(operator, { selector: { role: 'pricing' }, reason: 'all pricing' });
      expect(view).toMatchObject({ tenantId: null, actor: 'operator' });
      expect(w.fanout.published[0].tenantid).toBe(PLATFORM_TENANT);
    });

    it('flips on behalf of a system actor (a breaker), with its pass ratio', async () => {
      await w.commands.flipAs('breaker:deny-rate', { tenantId: 'maison', agentId: 'service-1' }, 'tripped', {
        passRatio: 0.1,
      });
      expect(w.fanout.published[0].data).toMatchObject({ actor: 'breaker:deny-rate', passRatio: 0.1 });
    });
  });

  describe('release', () => {
    it('releases once: a second release returns the released switch and sends nothing', async () => {
      const { id } = await w.commands.flip(maison, { selector: {}, reason: 'x' });
      w.clock.advance(MINUTE);
      const released = await w.commands.release(maison, id, 'fixed');
      expect(released).toMatchObject({
        state: 'released',
        releasedBy: 'user:sre-1',
        releaseReason: 'fixed',
        releasedAt: '2026-03-02T09:01:00.000Z',
      });
      expect(w.fanout.published.map((e) => e.data.state)).toEqual(['active', 'released']);
      expect(await w.commands.release(maison, id, 'again')).toEqual(released);
      expect(w.fanout.published).toHaveLength(2);
    });

    it("answers not_found for an unknown switch, another tenant's, and a platform switch to a tenant user", async () => {
      const theirs = await w.commands.flip(human('other'), { selector: {}, reason: 'x' });
      const platform = await w.commands.flip(operator, { selector: {}, reason: 'x' });
      for (const id of ['0190a0a0-0000-7000-8000-000000000000', theirs.id, platform.id])
        await expect(w.commands.release(maison, id, 'r')).rejects.toMatchObject({ code: 'not_found' });
      expect((await w.repo.find(theirs.id))?.state).toBe('active');
      expect((await w.commands.release(operator, theirs.id, 'r')).state).toBe('released');
    });
  });

  describe('reads', () => {
    it("lists the caller's tenant's active switches with the known agents each covers", async () => {
      await w.commands.flip(maison, { selector: { role: 'pricing' }, reason: 'a' });
      await w.commands.flip(human('other'), { selector: {}, reason: 'b' });
      const list = await w.commands.list(maison, 'active', PAGE);
      expect(list.items.map((s) => [s.tenantId, s.coveredAgents])).toEqual([['maison', 2]]);
      expect(list.next).toBeNull();
      expect((await w.commands.list(operator, 'all', PAGE)).items.length).toBe(2);
    });

    it('pages switches and history by `next`, newest first, each item once', async () => {
      const flipped: string[] = [];
      for (let i = 0; i < 5; i++) {
        flipped.unshift((await w.commands.flip(maison, { selector: {}, reason: `s${i}` })).id);
        w.clock.advance(i % 2 ? MINUTE : 0);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await w.commands.list(maison, 'all', { limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((s) => s.id));
        cursor = page.next ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...flipped].sort());
      const history = await w.commands.history(maison, { limit: 3 });
      const rest = await w.commands.history(maison, { limit: 3, cursor: history.next! });
      expect([...history.items, ...rest.items].map((h) => h.reason)).toEqual(['s4', 's3', 's2', 's1', 's0']);
      expect(rest.next).toBeNull();
      await expect(w.commands.list(maison, 'all', { limit: 2, cursor: 'forged' })).rejects.toBeInstanceOf(
        InvalidCursor,
      );
    });

    it("previews what a flip would halt within the caller's tenant", async () => {
      expect(await w.commands.preview(maison, { role: 'pricing' })).toEqual({
        selector: { role: 'pricing', tenantId: 'maison' },
        coveredAgents: 2,
        agents: ['pricing-1', 'pricing-2'],
      });
      await expect(w.commands.preview(maison, { tenantId: 'other' })).rejects.toMatchObject({
        code: 'forbidden',
      });
    });

    it("keeps another tenant's switch and its history from the caller", async () => {
      const theirs = await w.commands.flip(human('other'), { selector: {}, reason: 'x' });
      await expect(w.commands.get(maison, theirs.id)).rejects.toMatchObject({ code: 'not_found' });
      await expect(w.commands.history(maison, PAGE, theirs.id)).rejects.toMatchObject({ code: 'not_found' });
      expect((await w.commands.history(maison, PAGE)).items).toEqual([]);
    });

    it("gives a switch's history newest first", async () => {
      const { id } = await w.commands.flip(maison, { selector: {}, reason: 'on' });
      w.clock.advance(MINUTE);
      await w.commands.release(maison, id, 'off');
      expect((await w.commands.history(maison, PAGE, id)).items.map((h) => [h.state, h.reason])).toEqual([
        ['released', 'off'],
        ['active', 'on'],
      ]);
    });
  });

  describe('expiry and start', () => {
    it('releases switches once the clock passes their expiry, as system:expiry, and only those', async () => {
      const short = await w.commands.flip(maison, { selector: {}, reason: 'x', ttlSeconds: 60 });
      const open = await w.commands.flip(maison, { selector: { role: 'pricing' }, reason: 'y' });
      w.clock.advance(MINUTE - 1);
      expect(await w.commands.expireDue()).toBe(0);
      w.clock.advance(1);
      expect(await w.commands.expireDue()).toBe(1);
      expect(await w.repo.find(short.id)).toMatchObject({
        state: 'released',
        releasedBy: 'system:expiry',
        releaseReason: 'expired',
      });
      expect((await w.repo.find(open.id))?.state).toBe('active');
      expect(await w.commands.expireDue()).toBe(0);
    });

    it('republishes the last event of every active switch at start, the same events again', async () => {
      const a = await w.commands.flip(maison, { selector: {}, reason: 'a' });
      const b = await w.commands.flip(maison, { selector: { role: 'pricing' }, reason: 'b' });
      await w.commands.release(maison, b.id, 'done');
      const sent = [...w.fanout.published];
      await w.commands.onApplicationBootstrap();
      w.commands.onModuleDestroy();
      expect(w.fanout.published.slice(sent.length)).toEqual([sent[0]]);
      expect(sent[0].data.switchId).toBe(a.id);
    });
  });
});
