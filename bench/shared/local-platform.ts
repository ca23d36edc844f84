import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const PG_HOST_URL = 'postgres://postgres@127.0.0.1:5432';

/** The services scripts/platform.sh starts, and the offset of each one's first port from the base. */
const PORT_OFFSETS = {
  console: 0,
  ingest: 1,
  guardrail: 2,
  escalation: 3,
  killswitch: 4,
  audit: 5,
  rollout: 6,
};
export type PlatformService = keyof typeof PORT_OFFSETS;

export interface LocalPlatformSettings {
  /** Its own database (created when missing, migrated), e.g. `agentops_killswitch`. */
  database: string;
  /** AGENTOPS_PORT_BASE: the console's port, the services' above it. */
  portBase: number;
  /** PLATFORM_INSTANCES: how many instances of each service (1 when not named). */
  instances: Partial<Record<PlatformService, number>>;
  /** The services' Redis (a database of its own keeps its keys and channels apart). */
  redisUrl: string;
  /** Node flags for one service's instances alone (platform.sh's NODE_ARGS_<SERVICE>), e.g. `--cpu-prof`. */
  nodeArgs?: Partial<Record<PlatformService, string>>;
}

/**
 * The whole platform as separate OS processes, one per service instance, through the project's own
 * scripts/platform.sh (its secrets, database roles and Kafka principals): what a benchmark measures
 * across processes, beside the dev platform (its own ports, database and Redis database).
 */
export interface LocalPlatform {
  settings: LocalPlatformSettings;
  /** The database's admin URL (registering agents, reading results). */
  adminDatabaseUrl: string;
  /** The URLs of a service's instances, first instance first. */
  urls(service: PlatformService): string[];
  /** The process id of every running instance, by instance name (`ingest`, `ingest-2`, `audit` …). */
  pids(): Record<string, number>;
  /** A short-lived break-glass operator token, recorded by the console. */
  operatorToken(reason: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startLocalPlatform(settings: LocalPlatformSettings): Promise<LocalPlatform> {
  if (!/^[a-z_][a-z0-9_]*$/.test(settings.database))
    throw new Error(`unsafe database name ${JSON.stringify(settings.database)}`);
  await ensureDatabase(settings.database);
  const env = {
    ...process.env,
    PGDATABASE: settings.database,
    AGENTOPS_PORT_BASE: String(settings.portBase),
    PLATFORM_INSTANCES: Object.entries(settings.instances)
      .map(([s, n]) => `${s}=${n}`)
      .join(','),
    REDIS_URL: settings.redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // A benchmark's machine is busy by definition: three minutes to boot, not platform.sh's one.
    PLATFORM_READY_TIMEOUT_S: process.env.PLATFORM_READY_TIMEOUT_S ?? '180',
    ...Object.fromEntries(
      Object.entries(settings.nodeArgs ?? {}).map(([s, o]) => [`NODE_ARGS_${s.toUpperCase()}`, o]),
    ),
  };
  // platform.sh keeps each instance's pid in <state dir>/run/<instance>.pid.
  const runDir = join(process.env.AGENTOPS_STATE_DIR ?? join(ROOT, '.local'), 'run');
  const platform = (...args: string[]) =>
    run('bash', ['scripts/platform.sh', ...args], { cwd: ROOT, env, maxBuffer: 16 << 20 });
  await platform('migrate');
  await platform('stop');
  // A start that fails half-way leaves the instances it started: stopped before the error goes up.
  await platform('start').catch(async (error: unknown) => {
    await platform('stop').catch(() => undefined);
    throw error;
  });
  return {
    settings,
    adminDatabaseUrl: `${PG_HOST_URL}/${settings.database}`,
    urls: (service) =>
      Array.from(
        { length: settings.instances[service] ?? 1 },
        (_, k) => `http://127.0.0.1:${settings.portBase + PORT_OFFSETS[service] + 10 * k}`,
      ),
    pids: () =>
      Object.fromEntries(
        readdirSync(runDir)
          .filter((f) => f.endsWith('.pid'))
          .map((f) => [f.slice(0, -4), Number(readFileSync(join(runDir, f), 'utf8').trim())]),
      ),
    operatorToken: async (reason) =>
      (await platform('operator-token', '--reason', reason, '--ttl', '30m')).stdout.trim(),
    stop: async () => void (await platform('stop')),
  };
}

async function ensureDatabase(database: string): Promise<void> {
  const admin = new Client({ connectionString: `${PG_HOST_URL}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
}
