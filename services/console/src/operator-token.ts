import 'reflect-metadata';
import { DataSource, serviceDataSourceOptions } from '@agentops/persistence';
import { SigningKeyRing, issueOperatorToken } from '@agentops/service-runtime';
import { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { loadConsoleConfig } from './config';
import { BreakGlassLog } from './identity/break-glass-log';
import { consoleDatabase } from './persistence/database';

/**
 * Break-glass: a short-lived operator token (admin of every tenant), minted on the console host
 * with the console's own signing key and configuration — there is no standing operator secret.
 * Each one is recorded in `console.break_glass_tokens` with who took it and why, every call it
 * makes is logged by the service it reaches, and `POST /v1/auth/logout` with it revokes it.
 *
 *   npm run operator-token -- --reason "first admin of a fresh install" [--ttl 15m]
 */
function seconds(text: string): number {
  const m = /^(\d+)\s*(s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--ttl: ${text} is not a duration such as 900, 15m or 1h`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

async function main(): Promise<void> {
  const opts = new Command()
    .name('operator-token')
    .description('mint a short-lived break-glass operator token (recorded and logged)')
    .requiredOption('--reason <text>', 'why: recorded with the token and logged with each call it makes')
    .option('--ttl <duration>', 'how long it lives (900, 15m, 1h)', '15m')
    .parse()
    .opts<{ reason: string; ttl: string }>();
  const config = loadConsoleConfig();
  const ttlSeconds = seconds(opts.ttl);
  if (ttlSeconds < 60 || ttlSeconds > config.BREAK_GLASS_MAX_TTL_SECONDS)
    throw new Error(
      `--ttl must be between 60 s and BREAK_GLASS_MAX_TTL_SECONDS (${config.BREAK_GLASS_MAX_TTL_SECONDS} s)`,
    );
  if (opts.reason.trim().length < 8) throw new Error('--reason: say why, in at least 8 characters');
  const issuedBy = `${process.env.SUDO_USER ?? userInfo().username}@${hostname()}`;

  const db = new DataSource(
    serviceDataSourceOptions({
      ...consoleDatabase(),
      url: config.DATABASE_URL,
      applicationName: 'agentops-console-break-glass',
      poolSize: 1,
    }),
  );
  await db.initialize();
  try {
    const issued = issueOperatorToken(
      { reason: opts.reason.trim(), ttlSeconds },
      new SigningKeyRing(config.AUTH_SIGNING_KEYS),
    );
    // Recorded before it is shown: a token nobody can account for never leaves this command.
    await new BreakGlassLog(db).record({
      tokenId: issued.tokenId,
      reason: opts.reason.trim(),
      issuedBy,
      expiresAt: issued.expiresAt,
    });
    process.stderr.write(
      `${JSON.stringify({
        level: 'warn',
        time: new Date().toISOString(),
        service: 'console',
        msg: 'break-glass operator token issued',
        breakGlass: issued.tokenId,
        issuedBy,
        reason: opts.reason.trim(),
        expiresAt: issued.expiresAt.toISOString(),
      })}\n`,
    );
    process.stdout.write(`${issued.token}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`operator-token: ${error.message}\n`);
  process.exit(1);
});
