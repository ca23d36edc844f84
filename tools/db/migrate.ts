import { migrateServiceSchema } from '@agentops/persistence';
import { consoleDatabase } from '../../services/console/src/persistence/database';
import { auditDatabase } from '../../services/audit/src/persistence/database';
import { escalationDatabase } from '../../services/escalation/src/persistence/database';
import { guardrailDatabase } from '../../services/guardrail/src/persistence/database';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { killswitchDatabase } from '../../services/killswitch/src/persistence/database';

/** Each service's schema and migrations; run as an explicit step, never by the ORM at boot. */
export const serviceDatabases = {
  ingest: ingestDatabase,
  guardrail: guardrailDatabase,
  escalation: escalationDatabase,
  killswitch: killswitchDatabase,
  audit: auditDatabase,
  console: consoleDatabase,
};

export async function migrateAll(url: string, log: (line: string) => void = () => undefined): Promise<void> {
  for (const [service, db] of Object.entries(serviceDatabases)) {
    const ran = await migrateServiceSchema({ ...db(), url, applicationName: `agentops-${service}-migrate` });
    log(`${service}: ${ran.length ? `applied ${ran.join(', ')}` : 'up to date'}`);
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agentops';
  migrateAll(url, (l) => console.log(`migrate ${l}`)).catch((error: Error) => {
    console.error(`migrate: failed: ${error.message}`);
    process.exit(1);
  });
}
