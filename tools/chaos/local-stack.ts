import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The chaos run's own stack, as OS processes: the platform through scripts/platform.sh, Kafka
 * through deploy/local/kafka.sh, and a PostgreSQL cluster and a Redis server of its own (never the
 * shared ones on 5432 and 6379: stopping those would stop every other user of the machine).
 */
export interface StackSettings {
  root: string;
  stateDir: string;
  /** What the services connect to: the proxy in front of Kafka, or the brokers themselves. */
  serviceBrokers: string;
  brokerCount: 1 | 3;
  pg: { version: string; cluster: string; port: number };
  redisPort: number;
}

export interface Instance {
  name: string;
  pid: number;
}

export class LocalStack {
  constructor(readonly settings: StackSettings) {}

  /** A command of the repository, with the services' broker list in its environment. */
  async run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await exec(command, args, {
      cwd: this.settings.root,
      env: { ...process.env, KAFKA_BROKERS: this.settings.serviceBrokers, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }

  /** Starts every instance that is not running (`PLATFORM_INSTANCES` adds more) and waits until ready. */
  async startPlatform(instances = ''): Promise<void> {
    await this.run(
      'bash',
      ['scripts/platform.sh', 'start'],
      instances ? { PLATFORM_INSTANCES: instances } : {},
    );
  }

  async stopPlatform(): Promise<void> {
    await this.run('bash', ['scripts/platform.sh', 'stop']);
  }

  instances(): Instance[] {
    const dir = join(this.settings.stateDir, 'run');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => ({ name: f.slice(0, -4), pid: Number(readFileSync(join(dir, f), 'utf8').trim()) }))
      .filter((i) => alive(i.pid));
  }

  instance(name: string): Instance {
    const found = this.instances().find((i) => i.name === name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  }

  /** `kill -9`: no shutdown hook runs, nothing in hand is committed. */
  /**
   * SIGKILL, then waits (up to 5 s) until the process is gone and forgets its pid file. A process
   * is not gone the moment the signal is sent (nor while it is a zombie), and a heal that ran
   * `platform.sh start` meanwhile found it "already running", skipped it and waited for a
   * readiness that never came.
   */
  async killHard(name: string): Promise<void> {
    const { pid } = this.instance(name);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && alive(pid) && !zombie(pid); i++) await sleep(100);
    rmSync(join(this.settings.stateDir, 'run', `${name}.pid`), { force: true });
  }

  /** A graceful stop of one instance (it leaves its consumer groups), as when one is scaled in. */
  async stopInstance(name: string): Promise<void> {
    const { pid } = this.instance(name);
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(200);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(join(this.settings.stateDir, 'run', `${name}.pid`), { force: true });
  }

  async kafka(command: 'up' | 'down'): Promise<void> {
    await this.run('bash', ['deploy/local/kafka.sh', command], {
      KAFKA_BROKER_COUNT: String(this.settings.brokerCount),
    });
  }

  /** `kill -9` of one node of the three-node cluster. */
  killBrokerNode(node: number): void {
    const file = join(this.settings.stateDir, 'kafka', 'cluster', `node-${node}`, 'kafka.pid');
    process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGKILL');
  }

  async postgres(command: 'stop' | 'start'): Promise<void> {
    const { version, cluster } = this.settings.pg;
    await exec('pg_ctlcluster', [
      '--skip-systemctl-redirect',
      version,
      cluster,
      command,
      ...(command === 'stop' ? ['-m', 'fast'] : []),
    ]);
  }

  async redisStop(): Promise<void> {
    await exec('redis-cli', ['-p', String(this.settings.redisPort), 'shutdown', 'nosave']).catch(
      () => undefined,
    );
  }

  /** deploy/local/datastores.sh starts the private Redis again (REDIS_URL names it). */
  async redisStart(): Promise<void> {
    await this.run('bash', ['deploy/local/datastores.sh', 'up']);
  }

  /** Resident memory of a process, in MiB. */
  rssMiB(pid: number): number | null {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb ? Number(kb) / 1024 : null;
    } catch {
      return null;
    }
  }
}

function zombie(pid: number): boolean {
  try {
    // The state is the field after the command, which is in parentheses and may hold spaces.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
