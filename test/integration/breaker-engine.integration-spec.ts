import { serviceDataSourceOptions } from '@agentops/persistence';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  AgentDirectory,
  RecordingSwitches,
  breakerEngine,
  signals,
} from '../../services/killswitch/src/breakers/testing/breaker-doubles';
import { BreakerEngine } from '../../services/killswitch/src/breakers/breaker-engine';
import { PostgresBreakerRepository } from '../../services/killswitch/src/breakers/breaker-repository';
import { TEST_DATABASE_URL } from '../support/test-env';

/**
 * Breaker state survives a restart: the engine's states stored by PostgresBreakerRepository in
 * `killswitch.breaker_states` on the real PostgreSQL, read back by a fresh engine. The breaker is
 * this suite's own (a definition no service instance of the run knows), so the rows it leaves can
 * never move anyone's switches.
 */
const MINUTE = 60_000;
const T0 = Date.parse('2026-03-01T09:00:00.000Z');

describe('BreakerEngine: state stored in PostgreSQL', () => {
  const name = `persisted-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'breakers-persist-'));
  let ds: DataSource;
  let now = T0;
  const agents = new AgentDirectory();
  const a1 = agents.add({ id: `${name}-a1`, tenantId: name, role: 'service', version: '1', region: 'eu' });
  const a2 = agents.add({ id: `${name}-a2`, tenantId: name, role: 'service', version: '1', region: 'eu' });

  const boot = async (switches = new RecordingSwitches(), from = dir) => {
    const engine = breakerEngine({
      repository: new PostgresBreakerRepository(ds),
      switches,
      agents,
      clock: { now: () => new Date(now) },
      dir: from,
    });
    await engine.onModuleInit();
    return { engine, switches };
  };
  const mine = (engine: BreakerEngine) =>
    engine
      .states()
      .filter((s) => s.breaker === name)
      .sort((x, y) => x.cohort.localeCompare(y.cohort));
  const stored = async () =>
    (await ds.query(
      `SELECT cohort_key AS cohort, state, switch_id AS "switchId", since, trips, last_value AS "lastValue"
         FROM breaker_states WHERE breaker = $1 ORDER BY cohort_key`,
      [name],
    )) as {
      cohort: string;
      state: string;
      switchId: string;
      since: Date;
      trips: number;
      lastValue: number;
    }[];
  const uuid = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'violations.yaml'),
      [
        `name: ${name}`,
        'per: agent',
        'metric: verification_violations',
        'window: 10m',
        'threshold: 1',
        'coolDown: 10m',
        'halfOpen: { probation: 5m, share: 0.25, thresholdFactor: 0.5 }',
      ].join('\n'),
    );
    ds = new DataSource(
      serviceDataSourceOptions({
        url: TEST_DATABASE_URL,
        schema: 'killswitch',
        entities: [],
        migrations: [],
        applicationName: 'breaker-persistence-test',
      }),
    );
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM breaker_states WHERE breaker = $1`, [name]);
    await ds?.destroy();
  });

  /** Switch ids are uuids in the table: the recorder's ids are made to look like them. */
  class UuidSwitches extends RecordingSwitches {
    private next = 0;
    constructor(private readonly base: number) {
      super();
    }
    override async flipAs(...args: Parameters<RecordingSwitches['flipAs']>) {
      await super.flipAs(...args);
      const id = uuid(this.base + ++this.next);
      const last = this.calls[this.calls.length - 1];
      if (last.op === 'flip') last.id = id;
      return { id };
    }
  }

  it('a fresh engine resumes open and half-open breakers as stored, timing them from the stored since', async () => {
    const first = await boot(new UuidSwitches(100));
    const violate = async (agent: typeof a1, times: number) => {
      for (let i = 0; i < times; i++) {
        now += 1000;
        await first.engine.observe(signals.verified(agent, now, true));
      }
    };
    await violate(a2, 2); // trips at T0 + 2 s
    now = T0 + 5 * MINUTE;
    await violate(a1, 2); // trips 5 min later
    const a1TrippedAt = now;
    now = T0 + 2000 + 10 * MINUTE; // a2's cool-down is over, a1's is not
    await first.engine.tick();
    const before = mine(first.engine);
    expect(before.map((s) => [s.cohort, s.state, s.trips])).toEqual([
      [`${name}/${a1.id}`, 'open', 1],
      [`${name}/${a2.id}`, 'half_open', 1],
    ]);

    // "Restart": a new engine over the same table, nothing in memory.
    const second = await boot(new UuidSwitches(200));
    expect(mine(second.engine)).toEqual(before);

    // The cool-down and the probation run from the stored `since`, not from the restart.
    now = a1TrippedAt + 10 * MINUTE - 1;
    await second.engine.tick();
    expect(second.switches.calls).toEqual([]);
    now = a1TrippedAt + 10 * MINUTE; // also exactly a2's 5 min of probation
    await second.engine.tick();
    expect(second.switches.calls.map((c) => [c.op, c.id])).toEqual(
      expect.arrayContaining([
        ['flip', uuid(201)], // a1's probe
        ['release', before[0].switchId], // a1's full switch, flipped before the restart
        ['release', before[1].switchId], // a2's probe: a clean probation
      ]),
    );
    expect(second.switches.calls).toHaveLength(3);
    expect(mine(second.engine).map((s) => [s.cohort, s.state])).toEqual([
      [`${name}/${a1.id}`, 'half_open'],
      [`${name}/${a2.id}`, 'closed'],
    ]);

    // Closed cohorts are not reloaded; every row keeps its trips and the value that tripped it.
    const third = await boot();
    expect(mine(third.engine).map((s) => [s.cohort, s.state, s.switchId])).toEqual([
      [`${name}/${a1.id}`, 'half_open', uuid(201)],
    ]);
    expect(await stored()).toEqual([
      expect.objectContaining({ cohort: `${name}/${a1.id}`, state: 'half_open', trips: 1, lastValue: 2 }),
      expect.objectContaining({
        cohort: `${name}/${a2.id}`,
        state: 'closed',
        switchId: null,
        trips: 1,
        lastValue: 2,
      }),
    ]);
  });

  it('does not restore the state of a breaker whose definition is gone', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'breakers-none-'));
    const { engine } = await boot(new RecordingSwitches(), emptyDir);
    expect((await stored()).length).toBeGreaterThan(0);
    expect(mine(engine)).toEqual([]);
  });
});
