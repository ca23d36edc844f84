import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A data subject's key as the database stores it: encrypted under a key-encryption key (KEK) the
 * database never sees, with the KEK's id so the KEK can rotate. A dump of the database (a backup,
 * a stolen replica) therefore opens no sealed value; erasure still destroys the row's key.
 */
export interface WrappedSubjectKey {
  kekId: string;
  wrapped: string;
}

/**
 * The port that holds KEKs. `context` binds a wrapped key to its row (tenant and subject), so a
 * wrapped key copied onto another subject does not unwrap. The environment implementation below
 * keeps KEKs in process memory; a KMS adapter (AWS KMS, GCP KMS, Vault transit) implements the
 * same three members.
 */
export interface SubjectKeyWrapper {
  /** The KEK new keys are wrapped with. */
  readonly activeKekId: string;
  /** Whether keys wrapped under this KEK id can be unwrapped. */
  knows(kekId: string): boolean;
  wrap(key: Buffer, context: string): Promise<WrappedSubjectKey>;
  /** Throws when the KEK is unknown or the wrapped key was altered or moved. */
  unwrap(wrapped: WrappedSubjectKey, context: string): Promise<Buffer>;
}

/** A KEK's id: the first 16 hex digits of SHA-256 over it (names the key, reveals nothing of it). */
export function kekIdOf(kek: Buffer): string {
  return `kek-${createHash('sha256').update('agentops-kek-id:').update(kek).digest('hex').slice(0, 16)}`;
}

/**
 * KEKs from one setting: comma-separated base64 (or base64url) 32-byte keys; the first wraps new
 * keys, all of them unwrap. To rotate, put a new key first and keep the old ones until no stored
 * key uses them (the audit service re-wraps under the first key at start).
 */
export function parseKeks(setting: string): Buffer[] {
  const parts = setting
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) throw new Error('no key-encryption key given');
  return parts.map((p, i) => {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(p)) throw new Error(`key ${i + 1} is not base64`);
    const key = Buffer.from(p.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== 32)
      throw new Error(
        `key ${i + 1} is ${key.length} bytes, not 32 (generate one with \`openssl rand -base64 32\`)`,
      );
    return key;
  });
}

const WRAP_VERSION = 'w1';

/** AES-256-GCM key wrapping with KEKs held in memory (from an environment variable). */
export class LocalKeyWrapper implements SubjectKeyWrapper {
  private readonly keks: Map<string, Buffer>;
  readonly activeKekId: string;

  constructor(keks: Buffer[]) {
    if (!keks.length) throw new Error('LocalKeyWrapper needs at least one key-encryption key');
    for (const k of keks) if (k.length !== 32) throw new Error('key-encryption keys must be 32 bytes');
    this.keks = new Map(keks.map((k) => [kekIdOf(k), k]));
    this.activeKekId = kekIdOf(keks[0]);
  }

  get kekIds(): string[] {
    return [...this.keks.keys()];
  }

  knows(kekId: string): boolean {
    return this.keks.has(kekId);
  }

  async wrap(key: Buffer, context: string): Promise<WrappedSubjectKey> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keks.get(this.activeKekId)!, iv);
    cipher.setAAD(aad(this.activeKekId, context));
    const ct = Buffer.concat([cipher.update(key), cipher.final()]);
    return {
      kekId: this.activeKekId,
      wrapped: [
        WRAP_VERSION,
        iv.toString('base64url'),
        ct.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.'),
    };
  }

  async unwrap(w: WrappedSubjectKey, context: string): Promise<Buffer> {
    const kek = this.keks.get(w.kekId);
    if (!kek) throw new Error(`unknown key-encryption key ${w.kekId}`);
    const [version, iv, ct, tag] = w.wrapped.split('.');
    if (version !== WRAP_VERSION || !iv || !ct || !tag) throw new Error('not a wrapped subject key');
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(w.kekId, context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  }
}

function aad(kekId: string, context: string): Buffer {
  return Buffer.from(`agentops-subject-key/${WRAP_VERSION}/${kekId}/${context}`, 'utf8');
}

/** The context a subject key is wrapped under: its row. */
export function subjectKeyContext(tenantId: string, subjectRef: string): string {
  return `${tenantId}\u0000${subjectRef}`;
}
