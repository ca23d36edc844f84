import { CommonEnv, isProduction } from '@agentops/service-runtime';
import { Client } from 'pg';
import { VerifyReport, verifyChains } from '../../services/audit/src/verification/audit-verifier';
import { ChainReads } from '../../services/audit/src/verification/chain-reads';

/**
 * Recomputes the audit hash chains from PostgreSQL and reports the first broken record and why.
 *
 *   npm run audit:verify -- [--chain agentops.intents.v1:0] [--from N --to M] [--trusted-key KEYID]... [--json]
 *
 * Connects with AUDIT_DATABASE_URL, else DATABASE_URL (read access to schema audit is enough).
 * In production (AGENTOPS_ENV unless `development`) pinned key ids are required.
 * Exit code 0 = every chain verified, 1 = a chain is broken, 2 = could not run.
 */
export async function runVerify(
  url: string,
  args: { chainId?: string; from?: number; to?: number; trustedKeyIds?: string[] },
): Promise<VerifyReport> {
  const client = new Client({ connectionString: url, application_name: 'agentops-audit-verify' });
  await client.connect();
  try {
    await client.query(`SET search_path = audit`);
    const sql = {
      query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
    };
    return await verifyChains(new ChainReads(sql), args);
  } finally {
    await client.end();
  }
}

interface Args {
  chainId?: string;
  from?: number;
  to?: number;
  trustedKeyIds: string[];
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    json: false,
    trustedKeyIds: (process.env.AUDIT_TRUSTED_KEY_IDS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    const int = (v: string) => {
      if (!/^\d+$/.test(v)) throw new Error(`not a sequence number: ${v}`);
      return Number(v);
    };
    switch (argv[i]) {
      case '--chain':
        out.chainId = next();
        break;
      case '--from':
        out.from = int(next());
        break;
      case '--to':
        out.to = int(next());
        break;
      case '--trusted-key':
        out.trustedKeyIds.push(next());
        break;
      case '--json':
        out.json = true;
        break;
      default:
        throw new Error(
          `unknown argument ${argv[i]} (use --chain X --from N --to M --trusted-key KEYID --json)`,
        );
    }
  }
  return out;
}

if (require.main === module) {
  (async () => {
    const args = parseArgs(process.argv.slice(2));
    const mode = { AGENTOPS_ENV: process.env.AGENTOPS_ENV as CommonEnv['AGENTOPS_ENV'] };
    if (isProduction(mode) && !args.trustedKeyIds.length)
      throw new Error(
        'AUDIT_TRUSTED_KEY_IDS (or --trusted-key) is required in production: without pinned ids any self-consistent checkpoint key would pass',
      );
    const url =
      process.env.AUDIT_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/agentops';
    const report = await runVerify(url, args);
    if (args.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      for (const c of report.chains) {
        const f = c.failure;
        console.log(
          `${c.ok ? 'ok    ' : 'BROKEN'} ${c.chainId}  ${c.checked} records from ${c.from}, ${c.checkpointsChecked} signed checkpoints` +
            (f
              ? `\n       first broken: sequence ${f.sequence}${f.eventId ? ` (event ${f.eventId})` : ''}: ${f.reason}: ${f.detail}`
              : ''),
        );
      }
      const rate = report.ms > 0 ? Math.round((report.records / report.ms) * 1000) : report.records;
      console.log(
        `checkpoint keys: ${report.keyIds.join(', ') || 'none'}${args.trustedKeyIds.length ? ' (pinned)' : ' (not pinned: pass --trusted-key)'}`,
      );
      console.log(
        `${report.ok ? 'verified' : 'FAILED'}: ${report.chains.length} chains, ${report.records} records in ${report.ms} ms (${rate} records/s)`,
      );
    }
    process.exit(report.ok ? 0 : 1);
  })().catch((error: Error) => {
    console.error(`audit:verify: ${error.message}`);
    process.exit(2);
  });
}
