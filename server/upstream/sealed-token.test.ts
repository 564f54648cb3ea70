import { describe, expect, it } from 'vitest';
import { openToken, sealToken } from './sealed-token.ts';

const key = Buffer.alloc(32, 1);

describe('sealed upstream tokens', () => {
  it('open with the key, for the person they were sealed for', () => {
    const sealed = sealToken(key, 'ann', 'the-token');
    expect(sealed).toMatch(/^gcm1\./);
    expect(sealed).not.toContain('the-token');
    expect(sealToken(key, 'ann', 'the-token')).not.toBe(sealed); // a fresh IV each time
    expect(openToken(key, 'ann', sealed)).toBe('the-token');
  });

  it('do not open for another person, with another key, or without a key', () => {
    const sealed = sealToken(key, 'ann', 'the-token');
    expect(openToken(key, 'bob', sealed)).toBeUndefined();
    expect(openToken(Buffer.alloc(32, 2), 'ann', sealed)).toBeUndefined();
    expect(openToken(undefined, 'ann', sealed)).toBeUndefined();
  });

  it('are kept as they are without a key, and such ones still read once a key is set', () => {
    expect(sealToken(undefined, 'ann', 'the-token')).toBe('the-token');
    expect(openToken(key, 'ann', 'the-token')).toBe('the-token');
  });
});
