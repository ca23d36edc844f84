import { findPii, mentionsAny, redactPii } from './text-detectors';

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
