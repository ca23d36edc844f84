import { AgentScopes } from '@agentops/contracts';
import { DomainError, ManualClock } from '@agentops/service-runtime';
import { AgentIdTaken, AgentRegistration, AgentRegistry } from './agent-registry';
import { parseApiKey } from './api-key';
import { InMemoryAgentRepository } from './testing/agent-doubles';

/** The use case over agents and keys in memory, on a clock that moves only when told. */
function setup() {
  const repository = new InMemoryAgentRepository();
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  return { repository, clock, registry: new AgentRegistry(repository, clock) };
}

const pricing: AgentRegistration = {
  id: 'pricing-1',
  tenantId: 'maison',
  name: 'Pricing bot',
  role: 'pricing',
  version: '1.0.0',
  region: 'eu-west',
  labels: { team: 'pricing' },
  ownerTeam: 'pricing',
};
const keyIdOf = (apiKey: string) => parseApiKey(apiKey)!.keyId;
/** The same key id with another (well-formed) secret. */
const forged = (apiKey: string) => `aok_${keyIdOf(apiKey)}_${'A'.repeat(43)}`;

describe('AgentRegistry', () => {
  describe('register', () => {
    it('creates the agent and issues a key, shown once, that authenticates as it', async () => {
      const { registry, repository } = setup();
      const { agent, apiKey } = await registry.register(pricing);
      expect(agent).toEqual({
        id: 'pricing-1',
        tenantId: 'maison',
        role: 'pricing',
        version: '1.0.0',
        region: 'eu-west',
        labels: { team: 'pricing' },
      });
      expect(await registry.authenticate(apiKey)).toEqual(agent);
      // Only the digest is stored.
      const stored = repository.keys.get(keyIdOf(apiKey))!;
      expect(JSON.stringify(stored)).not.toContain(parseApiKey(apiKey)!.secret);
    });

    it('refuses an id another tenant holds with a 409 (conflict) and changes nothing of that agent', async () => {
      const { registry, repository } = setup();
      const { apiKey } = await registry.register(pricing);
      const taken = registry.register({ ...pricing, tenantId: 'rival', labels: { team: 'stolen' } });
      await expect(taken).rejects.toBeInstanceOf(AgentIdTaken);
      await expect(taken).rejects.toMatchObject({ code: 'conflict' });
      await expect(taken).rejects.toBeInstanceOf(DomainError);
      expect((await registry.find('pricing-1'))?.tenantId).toBe('maison');
      expect((await registry.find('pricing-1'))?.labels).toEqual({ team: 'pricing' });
      expect(repository.keys.size).toBe(1);
      expect((await registry.authenticate(apiKey))?.tenantId).toBe('maison');
    });

    it('registers an id again in its own tenant: updates the agent and issues another key, the first still working', async () => {
      const { registry } = setup();
      const first = await registry.register(pricing);
      const again = await registry.register({ ...pricing, version: '1.1.0' });
      expect(again.agent.version).toBe('1.1.0');
      expect(again.apiKey).not.toBe(first.apiKey);
      expect((await registry.authenticate(again.apiKey))?.version).toBe('1.1.0');
      expect(await registry.authenticate(first.apiKey)).not.toBeNull();
    });
  });

  describe('authenticate', () => {
    it('refuses a malformed key, an unknown key id and a wrong secret', async () => {
      const { registry } = setup();
      const { apiKey } = await registry.register(pricing);
      expect(await registry.authenticate('not-a-key')).toBeNull();
      expect(await registry.authenticate(`aok_0000000000000000_${'A'.repeat(43)}`)).toBeNull();
      expect(await registry.authenticate(forged(apiKey))).toBeNull();
    });

    it('answers from its cache for 30 s, then reads the key again', async () => {
      const { registry, repository, clock } = setup();
      const { apiKey } = await registry.register(pricing);
      await registry.authenticate(apiKey);
      clock.advance(AgentRegistry.CACHE_MS - 1);
      await registry.authenticate(apiKey);
      expect(repository.keyReads).toBe(1);
      clock.advance(1);
      await registry.authenticate(apiKey);
      expect(repository.keyReads).toBe(2);
    });

    it('checks the secret of a cached key too', async () => {
      const { registry } = setup();
      const { apiKey } = await registry.register(pricing);
      expect(await registry.authenticate(apiKey)).not.toBeNull();
      expect(await registry.authenticate(forged(apiKey))).toBeNull();
    });

    it('reads a forgotten key again: a key revoked elsewhere stops working at once', async () => {
      const { registry, repository, clock } = setup();
      const { apiKey } = await registry.register(pricing);
      await registry.authenticate(apiKey);
      // Another instance revoked it; its announcement reaches this one as forget().
      const stored = repository.keys.get(keyIdOf(apiKey))!;
      repository.keys.set(stored.keyId, { ...stored, revokedAt: clock.now() });
      expect(await registry.authenticate(apiKey)).not.toBeNull();
      registry.forget([stored.keyId]);
      expect(await registry.authenticate(apiKey)).toBeNull();
    });
  });

  describe('rotateKey', () => {
    it('with no grace: the previous key stops at once (cached or not), the new one works', async () => {
      const { registry, clock } = setup();
      const old = await registry.register(pricing);
      await registry.authenticate(old.apiKey); // cached
      const rotated = await registry.rotateKey('maison', 'pricing-1', 0);
      expect(rotated).toMatchObject({
        agent: { id: 'pricing-1', tenantId: 'maison' },
        keyId: keyIdOf(rotated!.apiKey),
        previousKeysExpireAt: clock.now().toISOString(),
        retiredKeyIds: [keyIdOf(old.apiKey)],
      });
      expect(await registry.authenticate(old.apiKey)).toBeNull();
      expect((await registry.authenticate(rotated!.apiKey))?.id).toBe('pricing-1');
    });

    it('with a grace: the previous key works until now + grace, not at it, even from the cache', async () => {
      const { registry, clock } = setup();
      const old = await registry.register(pricing);
      const start = clock.now().getTime();
      const rotated = await registry.rotateKey('maison', 'pricing-1', 60);
      expect(rotated?.previousKeysExpireAt).toBe(new Date(start + 60_000).toISOString());
      clock.advance(59_999);
      expect(await registry.authenticate(old.apiKey)).not.toBeNull(); // now cached, expiry with it
      clock.advance(1);
      expect(await registry.authenticate(old.apiKey)).toBeNull();
      expect(await registry.authenticate(rotated!.apiKey)).not.toBeNull();
    });

    it('never extends a key that already expires sooner, and leaves retired keys alone', async () => {
      const { registry, clock } = setup();
      const old = await registry.register(pricing);
      const first = await registry.rotateKey('maison', 'pricing-1', 60);
      clock.advance(10_000);
      // The old key (50 s left) keeps its expiry; the first rotation's key gets the full grace.
      const second = await registry.rotateKey('maison', 'pricing-1', 3_600);
      expect(second?.retiredKeyIds.sort()).toEqual([keyIdOf(old.apiKey), first!.keyId].sort());
      clock.advance(50_000);
      expect(await registry.authenticate(old.apiKey)).toBeNull();
      expect(await registry.authenticate(first!.apiKey)).not.toBeNull();
      // Once expired or revoked, a key is no longer one a rotation retires.
      const third = await registry.rotateKey('maison', 'pricing-1', 0);
      expect(third?.retiredKeyIds.sort()).toEqual([first!.keyId, second!.keyId].sort());
      const fourth = await registry.rotateKey('maison', 'pricing-1', 0);
      expect(fourth?.retiredKeyIds).toEqual([third!.keyId]);
    });

    it('answers null for an agent unknown in the tenant, storing no key', async () => {
      const { registry, repository } = setup();
      await registry.register(pricing);
      expect(await registry.rotateKey('rival', 'pricing-1', 0)).toBeNull();
      expect(await registry.rotateKey('maison', 'nobody', 0)).toBeNull();
      expect(repository.keys.size).toBe(1);
    });

    it('reports no expiry and no retired key when the agent had no working key', async () => {
      const { registry, repository } = setup();
      repository.agents.set('lonely', {
        id: 'lonely',
        tenantId: 'maison',
        role: 'pricing',
        version: '1',
        region: 'eu',
        labels: {},
        name: 'no keys',
        ownerTeam: null,
      });
      const rotated = await registry.rotateKey('maison', 'lonely', 0);
      expect(rotated).toMatchObject({ previousKeysExpireAt: null, retiredKeyIds: [] });
      expect(await registry.authenticate(rotated!.apiKey)).not.toBeNull();
    });

    it('refuses a grace outside 0..86400 s and stores nothing', async () => {
      const { registry, repository } = setup();
      await registry.register(pricing);
      await expect(registry.rotateKey('maison', 'pricing-1', 86_401)).rejects.toThrow(RangeError);
      expect(repository.keys.size).toBe(1);
    });
  });

  describe('setScopes', () => {
    const scopes: AgentScopes = { actions: ['pricing.set_price'] };

    it('replaces the scopes, records who changed them, and drops every cached identity', async () => {
      const { registry, repository } = setup();
      const { apiKey } = await registry.register(pricing);
      expect((await registry.authenticate(apiKey))?.scopes).toBeUndefined();
      const agent = await registry.setScopes('maison', 'pricing-1', scopes, 'admin:ada');
      expect(agent?.scopes).toEqual(scopes);
      expect((await registry.authenticate(apiKey))?.scopes).toEqual(scopes);
      expect(repository.keyReads).toBe(2);
      expect(repository.scopeChanges).toEqual([{ agentId: 'pricing-1', scopes, changedBy: 'admin:ada' }]);
    });

    it('null restores the role default (no scopes on the identity)', async () => {
      const { registry } = setup();
      await registry.register({ ...pricing, scopes });
      const agent = await registry.setScopes('maison', 'pricing-1', null, 'admin:ada');
      expect(agent).not.toBeNull();
      expect(agent).not.toHaveProperty('scopes');
    });

    it('answers null for an agent unknown in the tenant, recording nothing and keeping the cache', async () => {
      const { registry, repository } = setup();
      const { apiKey } = await registry.register(pricing);
      await registry.authenticate(apiKey);
      expect(await registry.setScopes('rival', 'pricing-1', scopes, 'admin:eve')).toBeNull();
      expect(repository.scopeChanges).toEqual([]);
      await registry.authenticate(apiKey);
      expect(repository.keyReads).toBe(1);
    });
  });

  describe('find and list', () => {
    it('finds an agent in its tenant (or any, for platform principals), never in another', async () => {
      const { registry } = setup();
      await registry.register(pricing);
      expect(await registry.find('pricing-1', 'maison')).toMatchObject({
        name: 'Pricing bot',
        ownerTeam: 'pricing',
      });
      expect(await registry.find('pricing-1')).not.toBeNull();
      expect(await registry.find('pricing-1', 'rival')).toBeNull();
    });

    it("lists a tenant's agents by id", async () => {
      const { registry } = setup();
      await registry.register({ ...pricing, id: 'b' });
      await registry.register({ ...pricing, id: 'a' });
      await registry.register({ ...pricing, id: 'c', tenantId: 'rival' });
      expect((await registry.list('maison', { limit: 10 })).items.map((a) => a.id)).toEqual(['a', 'b']);
      const first = await registry.list(undefined, { limit: 2 });
      expect(first.items.map((a) => a.id)).toEqual(['a', 'b']);
      const rest = await registry.list(undefined, { limit: 2, cursor: first.next! });
      expect([rest.items.map((a) => a.id), rest.next]).toEqual([['c'], null]);
    });
  });
});
