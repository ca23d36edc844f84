import {
  KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical-json';

export interface CheckpointStatement {
  chainId: string;
  sequence: number;
  headHash: string;
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointStatement {
  keyId: string;
  algorithm: 'Ed25519';
  /** base64 */
  signature: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  publicKeyPem: string;
}

/** The bytes a checkpoint signature covers: the canonical JSON of chain, sequence, head and time. */
export function checkpointMessage(s: CheckpointStatement): Buffer {
  return Buffer.from(
    canonicalJson({ chainId: s.chainId, sequence: s.sequence, headHash: s.headHash, signedAt: s.signedAt }),
    'utf8',
  );
}

export function signCheckpoint(key: SigningKey, s: CheckpointStatement): SignedCheckpoint {
  const signature = sign(null, checkpointMessage(s), key.privateKey).toString('base64');
  return { ...s, keyId: key.keyId, algorithm: 'Ed25519', signature };
}

export function verifyCheckpoint(publicKey: KeyObject | string, cp: SignedCheckpoint): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify(null, checkpointMessage(cp), key, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Key id: the first 16 hex digits of SHA-256 over the public key (SPKI DER). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** An Ed25519 private key from PEM text or base64 of PKCS#8 DER. */
export function loadSigningKey(material: string): SigningKey {
  const text = material.trim();
  const privateKey = text.includes('-----BEGIN')
    ? createPrivateKey(text.replace(/\\n/g, '\n'))
    : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`signing key must be Ed25519, got ${privateKey.asymmetricKeyType}`);
  return fromPrivate(privateKey);
}

export function generateSigningKey(): SigningKey {
  return fromPrivate(generateKeyPairSync('ed25519').privateKey);
}

/** base64 PKCS#8, the form AUDIT_SIGNING_KEY accepts. */
export function exportSigningKey(key: SigningKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
