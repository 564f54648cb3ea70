import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ODataError } from '../query/errors.ts';
import { MAX_JSON_DEPTH, nestingBeyond, readJsonBody } from './read-body.ts';

/** Answers what readJsonBody returns or throws, as JSON. */
const app = new Hono().post('/', async (c) => {
  try {
    return c.json({ value: await readJsonBody(c) });
  } catch (e) {
    const error = e as ODataError;
    return c.json({ status: error.status, code: error.code, message: error.message });
  }
});
const read = async (body: string) =>
  (await app.request('/', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })).json();

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('nestingBeyond', () => {
  it.each([
    ['{}', 1, undefined],
    ['[[]]', 1, 1],
    ['{"a":{"b":[1]}}', 3, undefined],
    ['{"a":{"b":[1]}}', 2, 10],
    ['"[[[[["', 1, undefined], // brackets inside strings do not count
    ['["\\"[[[", []]', 1, 10], // nor after an escaped quote
    ['["\\\\", [[]]]', 2, 8], // an escaped backslash ends before the quote
    ['[][][][]', 1, undefined], // siblings, not nesting
  ])('%s with limit %i → %s', (text, limit, expected) => {
    expect(nestingBeyond(text, limit)).toBe(expected);
  });

  it('agrees with the depth of any JSON value', () => {
    const depthOf = (v: unknown): number =>
      typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (value, limit) => {
        const beyond = nestingBeyond(JSON.stringify(value), limit) !== undefined;
        expect(beyond).toBe(depthOf(value) > limit);
      }),
    );
  });
});

describe('readJsonBody', () => {
  it(`takes a body nested ${MAX_JSON_DEPTH} levels deep`, async () => {
    expect(await read(nested(MAX_JSON_DEPTH))).toHaveProperty('value');
  });

  it.each([MAX_JSON_DEPTH + 1, 10_000, 200_000])(
    'refuses %i levels with a 400 naming the limit',
    async (depth) => {
      expect(await read(nested(depth, '{"a":', '}').replace(/:}/, ':1}'))).toEqual({
        status: 400,
        code: 'InvalidBody',
        message: `The request body nests objects and arrays more than 64 levels deep (at character ${MAX_JSON_DEPTH * 5}); the limit is 64`,
      });
    },
  );

  it('leaves malformed JSON to the JSON error', async () => {
    expect(await read('{"a": [1,}')).toMatchObject({ status: 400, code: 'InvalidJson' });
  });
});
