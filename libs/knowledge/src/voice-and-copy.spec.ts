import { matchApprovedCopy } from './copy-match';
import { contradicted, correctionText, ofKind, policyClaims, unverifiable } from './policy-functions';
import { maisonKnowledge, MAISON_NOW } from './testing/maison-knowledge';
import { checkVoice } from './voice';

const kb = maisonKnowledge(7);

describe('brand voice', () => {
  it('denies banned words however they are written, on word boundaries only', () => {
    expect(checkVoice(kb, 'A CHEAP alternative?').verdict).toBe('deny');
    expect(checkVoice(kb, 'Not ch-eap at all').banned.map((b) => b.text)).toEqual(['ch-eap']);
    expect(checkVoice(kb, 'Our cheapest option').verdict).toBe('allow'); // "cheapest" is not "cheap"
  });

  it('redacts redactable words with their replacement, keeping the rest of the text', () => {
    const v = checkVoice(kb, 'Unlike a Knock Off, this one is real.');
    expect(v).toMatchObject({ verdict: 'redact', redacted: 'Unlike a alternative, this one is real.' });
    expect(v.banned[0]).toMatchObject({ term: 'knock-off', text: 'Knock Off', action: 'redact' });
  });

  it('requires campaign terms only in that campaign', () => {
    expect(checkVoice(kb, 'Our winter cashmere is here.', { campaign: 'winter' })).toMatchObject({
      verdict: 'deny',
      missingRequired: ['Maison Demo'],
    });
    expect(checkVoice(kb, 'Maison-Demo winter cashmere is here.', { campaign: 'winter' }).verdict).toBe(
      'allow',
    );
    expect(checkVoice(kb, 'Our winter cashmere is here.').verdict).toBe('allow');
  });
});

describe('approved campaign copy', () => {
  const winter = { now: MAISON_NOW, campaign: 'winter' };
  it('matches word for word, slots filled, punctuation and case aside', () => {
    expect(
      matchApprovedCopy(kb, 'Dear Ana Martin, the FINEST cashmere of the season is here!', winter),
    ).toEqual({ ok: true, copyId: 'winter-sale', kbVersion: 7 });
  });

  it('refuses a changed word, an empty slot, or copy outside its window', () => {
    expect(
      matchApprovedCopy(kb, 'Dear Ana, the cheapest cashmere of the season is here.', winter),
    ).toMatchObject({ ok: false, reason: 'differs from every approved copy of campaign winter' });
    expect(matchApprovedCopy(kb, 'Dear, the finest cashmere of the season is here.', winter).ok).toBe(false);
    expect(
      matchApprovedCopy(kb, 'Our most iconic tote, reimagined for autumn.', {
        now: MAISON_NOW,
        campaign: 'autumn',
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('expired at 2026-11-01') });
    expect(matchApprovedCopy(kb, 'Anything', { now: MAISON_NOW, campaign: 'spring' })).toMatchObject({
      ok: false,
      reason: 'no approved copy for campaign spring',
    });
  });
});

describe('policy functions (what the CEL bindings call)', () => {
  const text = 'The Céleste Scarf is 100 % cashmere and €890. It will appreciate in value.';
  const claims = policyClaims(kb, text, { now: MAISON_NOW });

  it('gives flat claims with verdict, record, field, kbVersion and the correct value', () => {
    expect(contradicted(claims)).toEqual([
      expect.objectContaining({
        kind: 'material',
        text: '100 % cashmere',
        record: 'product/MD-SCA-00001',
        field: 'materials',
        kbVersion: 7,
        expected: '90 % cashmere, 10 % silk',
      }),
    ]);
    expect(ofKind(unverifiable(claims), ['guarantee', 'superlative']).map((c) => c.text)).toEqual([
      'will appreciate',
    ]);
    expect(correctionText(claims)).toContain(
      'MD-SCA-00001 is 90 % cashmere, 10 % silk [product/MD-SCA-00001 materials @ kb v7]',
    );
  });

  it('turns a refused text into one UNVERIFIABLE claim, so a policy can escalate it', () => {
    expect(policyClaims(kb, 'x'.repeat(9000), { now: MAISON_NOW })).toEqual([
      expect.objectContaining({
        kind: 'refused',
        verdict: 'UNVERIFIABLE',
        reason: expect.stringContaining('cap'),
      }),
    ]);
  });
});
