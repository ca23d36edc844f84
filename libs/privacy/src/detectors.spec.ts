import {
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
});
