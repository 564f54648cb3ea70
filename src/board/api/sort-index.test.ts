import { describe, expect, it } from 'vitest';
import { sortIndexBetween } from './sort-index';

describe('sortIndexBetween', () => {
  it('lands halfway between two neighbours', () => {
    expect(sortIndexBetween(1, 2)).toBe(1.5);
    expect(sortIndexBetween(1.5, 1.75)).toBe(1.625);
  });
  it('goes one past the last card or one before the first', () => {
    expect(sortIndexBetween(7, undefined)).toBe(8);
    expect(sortIndexBetween(undefined, 3)).toBe(2);
    expect(sortIndexBetween(null, null)).toBe(1);
  });
});
