import { deriveTenantKey, newSubjectKey, newSubjectKeys, pseudonymise, seal, unseal } from './subject-crypto';
import { PII_SCAN_LIMIT } from './detectors';
import { treatPayload } from './treatment';

describe('subject encryption (AES-256-GCM)', () => {
  it('round-trips, and fails with another key or another subject', () => {
    const key = newSubjectKey();
    const sealed = seal(key, 'jane@example.com', 't1/customer_1');
    expect(sealed).not.toContain('jane');
    expect(unseal(key, sealed, 't1/customer_1')).toBe('jane@example.com');
    expect(() => unseal(newSubjectKey(), sealed, 't1/customer_1')).toThrow();
    expect(() => unseal(key, sealed, 't1/customer_2')).toThrow();
    expect(seal(key, 'x', 'a')).not.toBe(seal(key, 'x', 'a')); // fresh IV each time
  });

  it('never reuses a nonce across pool refills, and batch keys are distinct', () => {
    const key = newSubjectKey();
    const ivs = new Set(Array.from({ length: 2000 }, () => seal(key, 'x', 'a').split('.')[1]));
    expect(ivs.size).toBe(2000);
    const keys = newSubjectKeys(50).map((k) => k.toString('hex'));
    expect(new Set(keys).size).toBe(50);
    expect(keys.every((k) => k.length === 64)).toBe(true);
  });
});

describe('pseudonyms', () => {
  it('are keyed per tenant, deterministic, and normalised', () => {
    const k1 = deriveTenantKey('secret', 't1');
    const k2 = deriveTenantKey('secret', 't2');
    expect(pseudonymise(k1, 'email', 'Jane@Example.com ')).toBe(
      pseudonymise(k1, 'email', 'jane@example.com'),
    );
    expect(pseudonymise(k1, 'email', 'jane@example.com')).not.toBe(
      pseudonymise(k2, 'email', 'jane@example.com'),
    );
    expect(pseudonymise(k1, 'email', 'jane@example.com')).toMatch(/^email_[0-9a-f]{32}$/);
    expect(pseudonymise(deriveTenantKey('other', 't1'), 'email', 'jane@example.com')).not.toBe(
      pseudonymise(k1, 'email', 'jane@example.com'),
    );
  });
});

describe('treatPayload', () => {
  const key = deriveTenantKey('secret', 't1');
  const p = (kind: string, v: string) => pseudonymise(key, kind, v);

  it('replaces named fields, customer targets and detected spans; keeps the rest', () => {
    const { payload, found, customerSubject } = treatPayload(
      {
        action: 'service.issue_refund',
        target: { type: 'customer', id: 'C-1001' },
        params: {
          amount: 25,
          email: 'jane@example.com',
          note: 'call +44 20 7946 0958 about 4111 1111 1111 1111',
        },
        customerId: 'C-1001',
      },
      p,
    );
    const text = JSON.stringify(payload);
    for (const clear of ['C-1001', 'jane@example.com', '7946', '4111']) expect(text).not.toContain(clear);
    expect(payload).toMatchObject({
      action: 'service.issue_refund',
      params: { amount: 25 },
      target: { type: 'customer', id: p('customer', 'C-1001') },
    });
    expect(found.map((f) => f.kind).sort()).toEqual(['card', 'customer', 'customer', 'email', 'phone']);
    expect(customerSubject).toBe(p('customer', 'C-1001'));
  });

  it('seals a string too long to scan whole instead of recording it unscanned', () => {
    const note = `call +44 20 7946 0958 ${'x'.repeat(PII_SCAN_LIMIT)}`;
    const { payload, found } = treatPayload({ params: { note } }, p);
    expect(found.map((f) => [f.kind, f.path])).toEqual([['oversized', '$.params.note']]);
    expect(payload).toEqual({ params: { note: `[${p('oversized', note)}]` } });
  });

  it('leaves payloads without personal data unchanged', () => {
    const data = {
      action: 'pricing.set_price',
      target: { type: 'sku', id: 'SKU-1' },
      params: { price: 12.5 },
    };
    expect(treatPayload(data, p)).toEqual({ payload: data, found: [], customerSubject: undefined });
  });
});
