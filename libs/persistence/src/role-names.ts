import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * PostgreSQL roles are cluster-wide while schemas live in one database: two deployments (or two
 * test runs) on one server must never share a role, or one could reach the other's tables. Every
 * role of a deployment is named `<prefix>_<suffix>`, the prefix defaulting to the database name.
 */
export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL truncates identifiers at 63 bytes; the longest suffix we append is `_audit_writer`. */
const MAX_PREFIX = 63 - '_audit_writer'.length;

/** A deployment's role prefix from its database name: lower-case, `[a-z0-9_]`, short enough. */
export function rolePrefixFor(databaseName: string): string {
  let prefix = databaseName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(prefix)) prefix = `d_${prefix}`;
  if (prefix.length > MAX_PREFIX) {
    // Keep it unique: a readable head and a hash of the whole name.
    const hash = createHash('sha256').update(databaseName).digest('hex').slice(0, 8);
    prefix = `${prefix.slice(0, MAX_PREFIX - 9)}_${hash}`;
  }
  return prefix;
}

export function roleName(prefix: string, suffix: string): string {
  return assertRoleName(`${prefix}_${suffix}`);
}

/** Role names are interpolated into DDL (identifiers cannot be bound), so only plain names pass. */
export function assertRoleName(name: string): string {
  if (!ROLE_NAME.test(name))
    throw new Error(`unsafe PostgreSQL role name ${JSON.stringify(name)} (expected ${ROLE_NAME.source})`);
  return name;
}

/** `"name"`, for names already checked by assertRoleName. */
export function quoteRole(name: string): string {
  return `"${assertRoleName(name)}"`;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, the format of
 * `pg_authid.rolpassword`). Sending the verifier instead of the password keeps the clear password
 * out of the server's statement log and `pg_stat_activity`, as psql's `\password` does.
 */
export function scramSha256Verifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations = 4096,
): string {
  // PostgreSQL applies SASLprep to non-ASCII passwords; generated passwords never need it.
  if (!/^[\x20-\x7e]+$/.test(password))
    throw new Error('database passwords must be printable ASCII (generate one with `openssl rand -hex 16`)');
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
