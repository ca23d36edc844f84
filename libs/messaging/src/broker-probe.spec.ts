import type { KafkaClient } from './kafka-client';
import { BrokerProbe, ProbeAdmin } from './topic-admin';

/** An admin connection whose connect and describe the test settles by hand. */
class ScriptedAdmin implements ProbeAdmin {
  static made: ScriptedAdmin[] = [];
  connects = 0;
  describes = 0;
  disconnects = 0;
  private releaseConnect?: () => void;
  constructor(
    private readonly connectMode: 'now' | 'held',
    private readonly describeFails = false,
  ) {
    ScriptedAdmin.made.push(this);
  }
  connect(): Promise<void> {
    this.connects++;
    if (this.connectMode === 'now') return Promise.resolve();
    return new Promise((resolve) => (this.releaseConnect = resolve));
  }
  release(): void {
    this.releaseConnect?.();
  }
  async describeCluster(): Promise<unknown> {
    this.describes++;
    if (this.describeFails) throw new Error('broker gone');
    return {};
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
  }
}

const noClient = {} as KafkaClient;
const settle = () => new Promise((r) => setImmediate(r));

describe('BrokerProbe', () => {
  beforeEach(() => (ScriptedAdmin.made = []));

  it('answers a burst of concurrent probes with one connection and one round trip', async () => {
    const probe = new BrokerProbe(noClient, () => new ScriptedAdmin('now'));
    await Promise.all(Array.from({ length: 50 }, () => probe.ping()));
    expect(ScriptedAdmin.made).toHaveLength(1);
    expect(ScriptedAdmin.made[0]).toMatchObject({ connects: 1, describes: 1 });
    await probe.ping();
    expect(ScriptedAdmin.made).toHaveLength(1); // kept across probes
    expect(ScriptedAdmin.made[0]!.describes).toBe(2);
  });

  it('drops a connection whose probe failed, and the next probe reconnects', async () => {
    let fail = true;
    const probe = new BrokerProbe(noClient, () => new ScriptedAdmin('now', fail));
    await expect(probe.ping()).rejects.toThrow('broker gone');
    await settle();
    expect(ScriptedAdmin.made[0]!.disconnects).toBe(1);
    fail = false;
    await probe.ping();
    expect(ScriptedAdmin.made).toHaveLength(2);
  });

  it('times out a probe whose connection hangs, and closes that connection once it is made', async () => {
    const probe = new BrokerProbe(noClient, () => new ScriptedAdmin('held'));
    await expect(probe.ping(20)).rejects.toThrow('kafka ping timed out');
    const hung = ScriptedAdmin.made[0]!;
    expect(hung.disconnects).toBe(0);
    hung.release();
    await settle();
    expect(hung.disconnects).toBe(1);
  });

  it('closes its connection on shutdown', async () => {
    const probe = new BrokerProbe(noClient, () => new ScriptedAdmin('now'));
    await probe.ping();
    await probe.close();
    expect(ScriptedAdmin.made[0]!.disconnects).toBe(1);
  });
});
