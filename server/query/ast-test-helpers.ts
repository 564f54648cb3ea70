// Helpers for the parser's tests: compare trees without positions, catch the error a parse throws.
import type { ODataError } from './errors.ts';

/** Removes `pos` fields so tests can compare shapes. */
export const withoutPositions = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(withoutPositions)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([k]) => k !== 'pos')
            .map(([k, v]) => [k, withoutPositions(v)]),
        )
      : value;

/** A member path as the parser makes it, without position. */
export const path = (...segments: string[]) => ({ kind: 'path', segments });

/** The error of the given class that `parse` throws; anything else fails the test. */
export function errorOf<E extends ODataError>(kind: new (...args: never[]) => E, parse: () => unknown): E {
  try {
    parse();
  } catch (e) {
    if (!(e instanceof kind)) throw e;
    return e;
  }
  throw new Error(`expected a ${kind.name}`);
}
