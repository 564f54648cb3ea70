import { describe, expect, it } from 'vitest';
import { unstorableCharacter } from './storable-text.ts';

describe('unstorableCharacter', () => {
  it.each([
    ['', undefined],
    ['Renewal', undefined],
    ['Zürich – 日本', undefined],
    ['emoji 😀 and 𝄞', undefined], // surrogate pairs are characters
    ['\u{10FFFF}', undefined],
    ['\uFFFD', undefined],
    ['control \u0001 and \u001f characters', undefined],
  ])('accepts %j', (text, expected) => {
    expect(unstorableCharacter(text)).toBe(expected);
  });

  it.each([
    ['Ren\u0000ewal', 3, 'NUL character (U+0000)'],
    ['\u0000', 0, 'NUL'],
    ['a\ud800', 1, 'lone UTF-16 surrogate (U+D800)'],
    ['a\ud800b', 1, 'U+D800'],
    ['\udc00b', 0, 'U+DC00'],
    ['😀\udfff', 2, 'U+DFFF'], // a pair, then a lone low surrogate
    ['\ud83d\ud83d\ude00', 0, 'U+D83D'], // two highs: the first is lone
  ])('refuses %j at %i', (text, index, description) => {
    const found = unstorableCharacter(text);
    expect(found?.index).toBe(index);
    expect(found?.description).toContain(description);
  });
});
