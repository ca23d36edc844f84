import { ChainVerifier, StoredLink, emptyHead, extendChain } from './chain';
import {
  generateSigningKey,
  signCheckpoint,
  verifyCheckpoint,
  loadSigningKey,
  exportSigningKey,
} from './checkpoint';
import { GENESIS_HASH, linkHash, linkTemplate, recordHash } from './hash';

function chainOf(n: number): StoredLink[] {
  const contents = Array.from({ length: n }, (_, i) => ({
    recordId: `r${i}`,
    payload: { i, note: `event ${i}` },
  }));
  return extendChain(emptyHead('t:0'), contents).links.map((l) => ({
    recordId: l.body.recordId,
    body: l.body,
    hash: l.hash,
  }));
}

function verify(links: StoredLink[], checkpoints: ConstructorParameters<typeof ChainVerifier>[1] = []) {
  const v = new ChainVerifier('t:0', checkpoints);
  for (const l of links) if (!v.push(l)) break;
  v.finish();
  return v.result;
}

describe('hash chain', () => {
  it('links each record to the previous hash, starting at genesis', () => {
    const links = chainOf(3);
    expect(links[0].body.prevHash).toBe(GENESIS_HASH);
    expect(links[1].body.prevHash).toBe(links[0].hash);
    expect(links.map((l) => l.body.sequence)).toEqual([0, 1, 2]);
    expect(recordHash(links[2].body)).toBe(links[2].hash);
  });

  it('continues from a stored head', () => {
    const first = extendChain(emptyHead('t:0'), [{ a: 1 }, { a: 2 }]);
    const second = extendChain(first.head, [{ a: 3 }]);
    const all = extendChain(emptyHead('t:0'), [{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(second.links[0].hash).toBe(all.links[2].hash);
    expect(second.head).toEqual({ chainId: 't:0', sequence: 2, hash: all.head.hash });
  });

  it('verifies an intact chain', () => {
    expect(verify(chainOf(20))).toMatchObject({ ok: true, checked: 20, lastSequence: 19 });
  });

  it('names a record whose content changed', () => {
    const links = chainOf(10);
    links[4] = { ...links[4], body: { ...links[4].body, payload: { i: 4, note: 'edited' } } };
    expect(verify(links).failure).toMatchObject({ reason: 'hash_mismatch', recordId: 'r4', sequence: 4 });
  });

  it('names the gap a deleted record leaves', () => {
    const links = chainOf(10);
    links.splice(6, 1);
    expect(verify(links).failure).toMatchObject({ reason: 'gap', recordId: 'r7', sequence: 6 });
  });

  it('names swapped records', () => {
    const links = chainOf(10);
    const a = links[3];
    const b = links[4];
    links[3] = { ...b, body: { ...b.body, sequence: 3 } };
    links[4] = { ...a, body: { ...a.body, sequence: 4 } };
    expect(verify(links).failure).toMatchObject({ reason: 'reordered', recordId: 'r4', sequence: 3 });
  });

  it('names an inserted record, even one with a well-formed hash', () => {
    const links = chainOf(10);
    const forgedBody = { ...links[5].body, recordId: 'forged', payload: { i: 99 } };
    links.splice(6, 0, { recordId: 'forged', body: forgedBody, hash: recordHash(forgedBody) });
    expect(verify(links).failure).toMatchObject({
      reason: 'unexpected_record',
      recordId: 'forged',
      sequence: 5,
    });
  });

  it('names a record whose previous-hash link was rewritten with a fresh hash', () => {
    const links = chainOf(5);
    const body = { ...links[2].body, prevHash: 'f'.repeat(64) };
    links[2] = { recordId: 'r2', body, hash: recordHash(body) };
    expect(verify(links).failure).toMatchObject({ reason: 'broken_link', recordId: 'r2' });
  });

  it('checks signed checkpoints and a truncated tail', () => {
    const links = chainOf(10);
    expect(verify(links, [{ sequence: 4, headHash: links[4].hash, signatureValid: true }]).ok).toBe(true);
    expect(
      verify(links, [{ sequence: 4, headHash: 'a'.repeat(64), signatureValid: true }]).failure,
    ).toMatchObject({ reason: 'checkpoint_mismatch', sequence: 4 });
    expect(
      verify(links, [{ sequence: 4, headHash: links[4].hash, signatureValid: false }]).failure,
    ).toMatchObject({ reason: 'checkpoint_signature_invalid' });
    expect(
      verify(links.slice(0, 8), [{ sequence: 9, headHash: links[9].hash, signatureValid: true }]).failure,
    ).toMatchObject({ reason: 'truncated', sequence: 8 });
  });

  it('verifies a range from an anchor', () => {
    const links = chainOf(10);
    const v = new ChainVerifier('t:0', [], { sequence: 4, hash: links[4].hash });
    for (const l of links.slice(5)) v.push(l);
    expect(v.result).toMatchObject({ ok: true, checked: 5 });
  });
});

describe('link templates', () => {
  const bodies: Record<string, unknown>[] = [
    { chainId: 't:0', sequence: 0 },
    {
      chainId: 't:0',
      sequence: 7,
      actor: { id: 'a' },
      zeta: [1, { b: 2, a: null }],
      payload: { prevHash: 'x' },
    },
    { chainId: 'é:1', sequence: 3, '\u20ac': 1, '1': 'one', prevHashes: ['p'], prev: '"prevHash":' },
    // Only members after "prevHash", or only before; and a member the parser may not make a prototype.
    { sequence: 1, subjects: [] },
    { chainId: 't:2', actor: 'a' },
    JSON.parse('{"chainId":"t:3","sequence":4,"__proto__":{"x":1}}') as Record<string, unknown>,
  ];

  it('splits the canonical text where the previous hash goes, so the link is the same hash', () => {
    for (const body of bodies) {
      const prevHash = 'ab'.repeat(32);
      const whole = { ...body, prevHash } as Parameters<typeof recordHash>[0];
      expect(linkHash(linkTemplate(body), prevHash)).toBe(recordHash(whole));
      // Whatever prevHash the body already holds is not part of the template.
      expect(linkTemplate({ ...body, prevHash: 'stale' })).toEqual(linkTemplate(body));
    }
  });

  it('rejects what canonicalJson rejects', () => {
    expect(() => linkTemplate({ chainId: 't', sequence: 1, payload: undefined })).toThrow(/undefined/);
    expect(() => linkTemplate({ chainId: 't', sequence: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('signed checkpoints', () => {
  it('signs and verifies with Ed25519; any change breaks the signature', () => {
    const key = generateSigningKey();
    const cp = signCheckpoint(key, {
      chainId: 't:0',
      sequence: 9,
      headHash: 'ab'.repeat(32),
      signedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(cp.algorithm).toBe('Ed25519');
    expect(verifyCheckpoint(key.publicKey, cp)).toBe(true);
    expect(verifyCheckpoint(key.publicKeyPem, cp)).toBe(true);
    expect(verifyCheckpoint(key.publicKey, { ...cp, sequence: 10 })).toBe(false);
    expect(verifyCheckpoint(generateSigningKey().publicKey, cp)).toBe(false);
  });

  it('loads keys from base64 PKCS#8 and PEM with a stable key id', () => {
    const key = generateSigningKey();
    const b64 = exportSigningKey(key);
    expect(loadSigningKey(b64).keyId).toBe(key.keyId);
    const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(loadSigningKey(pem).keyId).toBe(key.keyId);
    expect(loadSigningKey(pem.replace(/\n/g, '\\n')).keyId).toBe(key.keyId);
  });
});
