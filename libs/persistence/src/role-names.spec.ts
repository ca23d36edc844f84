import { createHash, createHmac } from 'node:crypto';
import { assertRoleName, quoteRole, roleName, rolePrefixFor, scramSha256Verifier } from './role-names';

describe('deployment role names', () => {
  it('derive from the database name, so two databases on one server never share a role', () => {
    expect(rolePrefixFor('agentops')).toBe('agentops');
    expect(rolePrefixFor('agentops_test_m1x2y3abcd')).toBe('agentops_test_m1x2y3abcd');
    expect(rolePrefixFor('My-App.prod')).toBe('my_app_prod');
    expect(rolePrefixFor('2026db')).toBe('d_2026db');
    expect(roleName('agentops', 'audit_writer')).toBe('agentops_audit_writer');
  });

  it('stay within 63 bytes and unique when the database name is long', () => {
    const a = rolePrefixFor(`agentops_${'x'.repeat(80)}_a`);
    const b = rolePrefixFor(`agentops_${'x'.repeat(80)}_b`);
    expect(a).not.toBe(b);
    expect(roleName(a, 'audit_writer').length).toBeLessThanOrEqual(63);
  });

  it('refuse anything that is not a plain identifier (they are interpolated into DDL)', () => {
    for (const bad of ['', 'Agent', 'a-b', 'a"; DROP ROLE x; --', 'x'.repeat(64)])
      expect(() => assertRoleName(bad)).toThrow(/unsafe PostgreSQL role name/);
    expect(quoteRole('agentops_ingest')).toBe('"agentops_ingest"');
  });
});

describe('SCRAM-SHA-256 verifier', () => {
  // RFC 7677 §3: user "user", password "pencil", this salt and 4096 iterations.
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const clientFirstBare = 'n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverFirst =
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinalNoProof = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
  const serverSignature = '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

  it("lets the RFC's client in and signs the server's answer as the RFC does", () => {
    const verifier = scramSha256Verifier('pencil', salt, 4096);
    const [, params, keys] = verifier.split('$');
    expect(params).toBe(`4096:${salt.toString('base64')}`);
    const [storedKey, serverKey] = keys.split(':').map((k) => Buffer.from(k, 'base64'));
    const authMessage = `${clientFirstBare},${serverFirst},${clientFinalNoProof}`;
    // What the server does with the stored verifier: recover ClientKey from the proof, check it.
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]));
    expect(createHash('sha256').update(clientKey).digest()).toEqual(storedKey);
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe(serverSignature);
  });

  it('salts every verifier and refuses passwords PostgreSQL would SASLprep', () => {
    expect(scramSha256Verifier('pencil')).not.toBe(scramSha256Verifier('pencil'));
    expect(() => scramSha256Verifier('pâssword')).toThrow(/printable ASCII/);
  });
});
