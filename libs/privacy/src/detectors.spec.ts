import {
  PII_SCAN_LIMIT,
  detectPii,
  findCardNumbers,
  findEmails,
  findIbans,
  findPhoneNumbers,
  findPostalAddresses,
  ibanValid,
  luhnValid,
  replacePii,
} from './detectors';

const values = (ms: { value: string }[]) => ms.map((m) => m.value);

describe('PII detectors', () => {
  it('finds email addresses', () => {
    expect(values(findEmails('write to jane.doe+shop@example.co.uk or ops@x.io.'))).toEqual([
      'jane.doe+shop@example.co.uk',
      'ops@x.io',
    ]);
    expect(findEmails('no at sign here, nor user@localhost')).toEqual([]);
  });

  it('validates card numbers with Luhn', () => {
    expect(luhnValid('4111 1111 1111 1111')).toBe(true);
    expect(luhnValid('4111 1111 1111 1112')).toBe(false);
    expect(
      values(findCardNumbers('card 4111-1111-1111-1111, bad 4111111111111112, amex 378282246310005')),
    ).toEqual(['4111-1111-1111-1111', '378282246310005']);
  });

  it('validates IBANs with mod 97', () => {
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(values(findIbans('pay GB82WEST12345698765432 or DE89 3704 0044 0532 0130 00'))).toEqual([
      'GB82WEST12345698765432',
      'DE89 3704 0044 0532 0130 00',
    ]);
  });

  it('finds phone numbers but not prices, dates or SKUs', () => {
    expect(values(findPhoneNumbers('call +44 20 7946 0958 or (030) 1234-5678 or 0612345678'))).toEqual([
      '+44 20 7946 0958',
      '(030) 1234-5678',
      '0612345678',
    ]);
    expect(findPhoneNumbers('price 1299.00 on 2026-01-05, sku 12345678, qty 20')).toEqual([]);
  });

  it('finds postal addresses by heuristic', () => {
    expect(values(findPostalAddresses('ship to 221B Baker Street, London'))).toEqual(['221B Baker Street']);
    expect(values(findPostalAddresses('send to 12 rue de la Paix, 75002 Paris'))).toEqual([
      '12 rue de la Paix, 75002 Paris',
    ]);
    expect(values(findPostalAddresses('Lieferung an Hauptstraße 5, 10115 Berlin'))).toEqual([
      'Hauptstraße 5, 10115 Berlin',
    ]);
    expect(findPostalAddresses('set price to 12 EUR for 3 days')).toEqual([]);
  });

  it('resolves overlaps: a card number is not also a phone number', () => {
    const found = detectPii('card 4111 1111 1111 1111 mail a@b.de phone +1 415 555 0100');
    expect(found.map((m) => m.kind)).toEqual(['card', 'email', 'phone']);
  });

  it('replaces every span', () => {
    const { text, matches } = replacePii(
      'refund jane@example.com via DE89370400440532013000',
      (m) => `[${m.kind}]`,
    );
    expect(text).toBe('refund [email] via [iban]');
    expect(matches).toHaveLength(2);
  });

  // Where guardrail's and audit's detectors used to disagree; docs/architecture-notes.md says why.
  describe('settled differences', () => {
    it('takes a whole international number, one-digit area group included', () => {
      expect(values(findPhoneNumbers('call +33 6 12 34 56 78 or +33 1 44 55 66 77'))).toEqual([
        '+33 6 12 34 56 78',
        '+33 1 44 55 66 77',
      ]);
      expect(values(findPhoneNumbers('+1 (415) 555-0100, contact: +33612345678'))).toEqual([
        '+1 (415) 555-0100',
        '+33612345678',
      ]);
    });

    it('takes national numbers with a trunk 0 and 8-digit numbers, not dates or order numbers', () => {
      expect(values(findPhoneNumbers('0612345678 or 22 12 34 56'))).toEqual(['0612345678', '22 12 34 56']);
      expect(findPhoneNumbers('delivery on 05.12.2026 or 5/12/2026, order 100234567890')).toEqual([]);
    });

    it('knows IBANs are 15 to 34 characters, and stops before a following upper-case word', () => {
      expect(values(findIbans('NO93 8601 1117 947'))).toEqual(['NO93 8601 1117 947']);
      expect(findIbans('DE791234567890')).toEqual([]); // checksum-valid, but 14 characters
      expect(findIbans('DE79 1234567890 ABC')).toEqual([]); // nor when cut back to them
      expect(values(findIbans('IBAN DE89 3704 0044 0532 0130 00 EUR'))).toEqual([
        'DE89 3704 0044 0532 0130 00',
      ]);
    });

    it('wants non-empty domain labels in an email address', () => {
      expect(findEmails('a@b..com')).toEqual([]);
      expect(values(findEmails('mail first.last@sub.example.com,'))).toEqual(['first.last@sub.example.com']);
    });
  });

  describe('inputs that were slow (answers only: timing lives in bench/input-safety)', () => {
    it('finds the address at the end of a long local-part run', () => {
      const text = `${'a'.repeat(100_000)}@example.com`;
      expect(findEmails(text)).toEqual([{ kind: 'email', start: 0, end: text.length, value: text }]);
      expect(findEmails(`a@${'a.'.repeat(50_000)}`)).toEqual([]);
    });

    it('does not start an address inside the previous one', () => {
      expect(values(findEmails('a@b.com.x@c.de'))).toEqual(['a@b.com', '.x@c.de']);
    });

    it('finds nothing in long runs of digits, separators and words', () => {
      expect(detectPii(`${'1'.repeat(100_000)} street`)).toEqual([]);
      expect(findPostalAddresses(`1 rue ${'a'.repeat(50_000)}1`)).toEqual([]);
    });

    it('bounds a street name to 40 characters instead of reading back through the whole run', () => {
      expect(values(findPostalAddresses(`${'A-'.repeat(50_000)}weg 5`))).toEqual([`${'A-'.repeat(20)}weg 5`]);
    });

    it('keeps nested address matches linear and widest first', () => {
      const text = '1 a street '.repeat(10_000);
      const found = findPostalAddresses(text);
      expect(found).toHaveLength(10_000);
      expect(found[1]).toEqual({ kind: 'address', start: 11, end: 21, value: '1 a street' });
    });
  });

  it('reports text longer than the scan limit as one oversized span, unscanned', () => {
    const text = `mail a@b.de ${'x'.repeat(PII_SCAN_LIMIT)}`;
    expect(detectPii(text)).toEqual([{ kind: 'oversized', start: 0, end: text.length, value: text }]);
    expect(detectPii('x'.repeat(PII_SCAN_LIMIT)).length).toBe(0);
  });
});
