import { RECORDS_KEYSET } from './audit-record-repository';

describe('audit record cursors', () => {
  it('round-trips a cursor the API issued', () => {
    const id = '0b6f1f7e-4c1d-4a57-9f0e-2f0d3b1a9c11';
    expect(RECORDS_KEYSET.decode(RECORDS_KEYSET.encode(['2026-11-24T10:00:00.000Z', id]))).toEqual([
      '2026-11-24T10:00:00.000Z',
      id,
    ]);
  });

  it('refuses anything else as an invalid cursor (a 400), not a parse or SQL error', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      'garbage',
      '',
      b64({ a: 1 }),
      b64(['2026-11-24T10:00:00Z']),
      b64(['not a time', '0b6f1f7e-4c1d-4a57-9f0e-2f0d3b1a9c11']),
      b64(['2026-11-24T10:00:00Z', 'not-a-uuid']),
      b64(['x', '1; drop']),
    ])
      expect(() => RECORDS_KEYSET.decode(bad)).toThrow('invalid cursor');
  });
});
