import { SigningKey, loadSigningKey } from '@agentops/audit-chain';
import { LocalKeyWrapper, parseKeks } from '@agentops/privacy';

type KeySettings = {
  AUDIT_SIGNING_KEY?: string;
  AUDIT_TRUSTED_KEY_IDS: string[];
  AUDIT_PSEUDONYM_SECRET?: string;
  AUDIT_KEK?: string;
};

const GENERATE = 'generate them with `npm run audit:keys`';

/**
 * What is wrong with audit's keys. In production an ephemeral signing key or pseudonym secret, or
 * a verifier that trusts any self-consistent checkpoint key, are errors; in development they are
 * warnings. The key-encryption key is always required: without it subject keys would sit in clear
 * (and an ephemeral one would make every stored key unusable at the next restart).
 */
export function auditKeyProblems(
  config: KeySettings,
  production: boolean,
): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const inProduction = (name: string, why: string) =>
    production
      ? errors.push(`${name}: is required in production (AGENTOPS_ENV=production): ${why}; ${GENERATE}`)
      : warnings.push(`${name} is not set: ${why} (development only)`);

  if (!config.AUDIT_KEK)
    errors.push(
      `AUDIT_KEK: is required: the key-encryption key that wraps each data subject's key, base64 of 32 bytes (openssl rand -base64 32); ${GENERATE}`,
    );
  else {
    try {
      parseKeks(config.AUDIT_KEK);
    } catch (error) {
      errors.push(`AUDIT_KEK: ${(error as Error).message}`);
    }
  }

  let signing: SigningKey | undefined;
  if (config.AUDIT_SIGNING_KEY) {
    try {
      signing = loadSigningKey(config.AUDIT_SIGNING_KEY);
    } catch (error) {
      errors.push(`AUDIT_SIGNING_KEY: not a usable Ed25519 private key (${(error as Error).message})`);
    }
  } else {
    inProduction('AUDIT_SIGNING_KEY', 'checkpoints signed by an ephemeral key prove nothing once it is gone');
  }

  const trusted = config.AUDIT_TRUSTED_KEY_IDS;
  if (!trusted.length) {
    inProduction(
      'AUDIT_TRUSTED_KEY_IDS',
      `verification would accept checkpoints signed by any key stored beside them${signing ? ` (this signing key's id is ${signing.keyId})` : ''}`,
    );
  } else if (signing && !trusted.includes(signing.keyId)) {
    const problem = `AUDIT_TRUSTED_KEY_IDS: does not include ${signing.keyId}, the id of AUDIT_SIGNING_KEY, so this service's own checkpoints would not verify`;
    (production ? errors : warnings).push(problem);
  }

  if (!config.AUDIT_PSEUDONYM_SECRET)
    inProduction('AUDIT_PSEUDONYM_SECRET', 'pseudonyms would change at every restart and never join');
  return { errors, warnings };
}

/** The subject-key wrapper of a configuration loadAuditConfig accepted. */
export function keyWrapperFrom(config: KeySettings): LocalKeyWrapper {
  return new LocalKeyWrapper(parseKeks(config.AUDIT_KEK ?? ''));
}
