import { exportSigningKey, generateSigningKey } from '@agentops/audit-chain';
import { kekIdOf, parseKeks } from '@agentops/privacy';
import { randomBytes } from 'node:crypto';

/**
 * Fresh audit keys as `NAME=value` lines, for a `.env`, a Kubernetes Secret or a secret manager:
 *
 *   npm run audit:keys                      # signing key + its id, pseudonym secret, KEK
 *   npm run audit:keys -- --rotate-kek "$AUDIT_KEK"   # a new KEK first, the current ones kept
 *
 * Printed once, kept nowhere: store them where the services read them, never in the repository.
 */
export function auditKeyLines(argv: string[]): string[] {
  const kek = randomBytes(32).toString('base64');
  if (argv[0] === '--rotate-kek') {
    if (!argv[1]) throw new Error('--rotate-kek needs the current AUDIT_KEK');
    const current = parseKeks(argv[1]);
    return [
      `# new KEK ${kekIdOf(parseKeks(kek)[0])} first; keep the older ones until audit has re-wrapped every key (it does at start)`,
      `AUDIT_KEK=${[kek, ...current.map((k) => k.toString('base64'))].join(',')}`,
    ];
  }
  if (argv.length) throw new Error(`unknown argument ${argv[0]} (use --rotate-kek "<current AUDIT_KEK>")`);
  const signing = generateSigningKey();
  return [
    `# audit keys made ${new Date().toISOString()}; publish the signing key's id to whoever verifies checkpoints`,
    `AUDIT_SIGNING_KEY=${exportSigningKey(signing)}`,
    `AUDIT_TRUSTED_KEY_IDS=${signing.keyId}`,
    `AUDIT_PSEUDONYM_SECRET=${randomBytes(32).toString('hex')}`,
    `AUDIT_KEK=${kek}`,
  ];
}

if (require.main === module) {
  try {
    console.log(auditKeyLines(process.argv.slice(2)).join('\n'));
  } catch (error) {
    console.error(`audit:keys: ${(error as Error).message}`);
    process.exit(2);
  }
}
