import { randomBytes } from 'node:crypto';
import { newSubjectKey, seal, unseal } from './subject-crypto';
import { LocalKeyWrapper, kekIdOf, parseKeks, subjectKeyContext } from './subject-key-wrapping';

describe('subject keys wrapped by a key-encryption key', () => {
  const kek = randomBytes(32);
  const wrapper = new LocalKeyWrapper([kek]);
  const context = subjectKeyContext('t1', 'customer_1');

  it('round-trips a key, and the stored form opens no sealed value', async () => {
    const key = newSubjectKey();
    const wrapped = await wrapper.wrap(key, context);
    expect(wrapped.kekId).toBe(kekIdOf(kek));
    expect(wrapped.wrapped).not.toContain(key.toString('base64url'));
    expect(await wrapper.unwrap(wrapped, context)).toEqual(key);
    // What a database dump holds: the wrapped bytes (32, like a key) do not open a sealed value.
    const box = seal(key, 'jane@example.com', 'aad');
    const inDump = Buffer.from(wrapped.wrapped.split('.')[2], 'base64url');
    expect(inDump).toHaveLength(32);
    expect(() => unseal(inDump, box, 'aad')).toThrow();
    expect(unseal(await wrapper.unwrap(wrapped, context), box, 'aad')).toBe('jane@example.com');
  });

  it('does not unwrap under another KEK, for another subject, or altered', async () => {
    const wrapped = await wrapper.wrap(newSubjectKey(), context);
    await expect(new LocalKeyWrapper([randomBytes(32)]).unwrap(wrapped, context)).rejects.toThrow(
      /unknown key-encryption key/,
    );
    await expect(wrapper.unwrap(wrapped, subjectKeyContext('t1', 'customer_2'))).rejects.toThrow();
    await expect(wrapper.unwrap(wrapped, subjectKeyContext('t2', 'customer_1'))).rejects.toThrow();
    const [v, iv, ct, tag] = wrapped.wrapped.split('.');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    await expect(
      wrapper.unwrap({ ...wrapped, wrapped: [v, iv, flipped.toString('base64url'), tag].join('.') }, context),
    ).rejects.toThrow();
  });

  it('rotates: the first KEK wraps, the older ones still unwrap', async () => {
    const old = await wrapper.wrap(newSubjectKey(), context);
    const next = randomBytes(32);
    const rotated = new LocalKeyWrapper([next, kek]);
    expect(rotated.activeKekId).toBe(kekIdOf(next));
    expect(rotated.knows(old.kekId)).toBe(true);
    expect(await rotated.unwrap(old, context)).toHaveLength(32);
    expect((await rotated.wrap(newSubjectKey(), context)).kekId).toBe(kekIdOf(next));
  });

  it('parses KEKs from one setting and says what is wrong with a bad one', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(parseKeks(`${a.toString('base64')}, ${b.toString('base64url')}`)).toEqual([a, b]);
    expect(() => parseKeks('')).toThrow(/no key-encryption key/);
    expect(() => parseKeks('not base64!')).toThrow(/key 1 is not base64/);
    expect(() => parseKeks(`${a.toString('base64')},${randomBytes(16).toString('base64')}`)).toThrow(
      /key 2 is 16 bytes, not 32/,
    );
  });
});
