import { PII_SCAN_LIMIT, detectPii } from '@agentops/privacy';
import { findPii, mentionsAny, piiKindsIn, redactPii } from './text-detectors';

describe('findPii', () => {
  it('finds emails, grouped or international phones, Luhn-valid cards and valid IBANs', () => {
    const text =
      'Mail anna@example.com, call +33 6 12 34 56 78 or 06-12-34-56-78, card 4111 1111 1111 1111, IBAN FR76 3000 6000 0112 3456 7890 189.';
    expect(findPii(text).map((s) => s.kind)).toEqual(['email', 'phone', 'phone', 'card', 'iban']);
  });
  it('ignores order numbers, invalid cards and invalid IBANs', () => {
    expect(findPii('Your order 100234567890 ships today')).toEqual([]);
    expect(findPii('card 4111 1111 1111 1112')).toEqual([]);
    expect(findPii('FR76 3000 6000 0112 3456 7890 188')).toEqual([]);
  });
  it('sees what audit pseudonymises: the same spans as the privacy detectors', () => {
    const texts = [
      'Dear Anna (anna@example.com), like Mrs Martin (claire.martin@example.org, +33 6 12 34 56 78) you may collect it tomorrow.',
      'Call your advisor on +33 1 44 55 66 77 to try it on.',
      'ship to 221B Baker Street, London, or DE89 3704 0044 0532 0130 00 EUR',
    ];
    for (const text of texts)
      expect(redactPii(text).spans).toEqual(detectPii(text).map((m) => [m.start, m.end]));
  });
  it('counts postal addresses as personal data', () => {
    expect(piiKindsIn('the previous owner lives at 12 rue de la Paix, 75002 Paris')).toEqual(['address']);
    expect(redactPii('ship it to 221B Baker Street, London').text).toBe(
      'ship it to [redacted address], London',
    );
  });
  it('redacts text too long to scan whole', () => {
    expect(redactPii('x'.repeat(PII_SCAN_LIMIT + 1)).text).toBe('[redacted oversized]');
  });
  it('redacts all but the kept values', () => {
    expect(redactPii('to anna@example.com cc bob@example.org', ['ANNA@example.com']).text).toBe(
      'to anna@example.com cc [redacted email]',
    );
  });
});

describe('mentionsAny', () => {
  const competitors = ['Hermès', 'Céline', 'Coach'];
  it('ignores case, diacritics, punctuation and spacing inside a name', () => {
    expect(mentionsAny('Try the HERMES bag', competitors)).toBe(true);
    expect(mentionsAny('like her-mès!', competitors)).toBe(true);
    expect(mentionsAny('from C E L I N E', competitors)).toBe(true);
  });
  it('matches whole words only', () => {
    expect(mentionsAny('Dear Marceline,', competitors)).toBe(false);
    expect(mentionsAny('our coaching session', competitors)).toBe(false);
  });
});
