import { describe, expect, it } from 'vitest';
import { ODataError, QuerySyntaxError } from './errors.ts';
import { Lexer } from './lexer.ts';

const literal = (text: string) => {
  const lx = new Lexer(text, '$filter');
  const lit = lx.atGuid() ? lx.readGuid() : lx.readNumberLike();
  expect(lx.pos).toBe(text.length);
  return { type: lit.type, value: lit.value };
};

const syntaxError = (f: () => unknown): QuerySyntaxError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuerySyntaxError);
    return e as QuerySyntaxError;
  }
  throw new Error('expected a QuerySyntaxError');
};

describe('numbers', () => {
  it.each([
    ['0', 'int', 0],
    ['42', 'int', 42],
    ['-2', 'int', -2],
    ['-0', 'int', 0],
    ['1.5', 'decimal', 1.5],
    ['5.00', 'decimal', 5],
    ['1e3', 'decimal', 1000],
    ['-2.5E-2', 'decimal', -0.025],
    ['1e+2', 'decimal', 100],
  ])('%s', (text, type, value) => {
    expect(literal(text)).toEqual({ type, value });
  });

  it.each([
    ['1.', 2, 'Expected a digit after the decimal point'],
    ['1e', 2, 'Expected the digits of an exponent'],
    ['5d', 1, "Unexpected 'd' after number literal starting at 0"],
    ['5.5.5', 3, "Unexpected '.'"],
    ['9007199254740993', 0, 'out of range'],
    ['1e999', 0, 'out of range'],
  ])('rejects %s', (text, pos, message) => {
    const e = syntaxError(() => literal(text));
    expect(e.position).toBe(pos);
    expect(e.message).toContain(message);
  });
});

describe('dates and times', () => {
  it.each([
    ['2026-12-31', 'date', '2026-12-31'],
    ['2024-02-29', 'date', '2024-02-29'],
    ['2000-02-29', 'date', '2000-02-29'],
    ['2026-01-01T00:00:00Z', 'datetime', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00+01:00', 'datetime', '2025-12-31T23:00:00.000Z'],
    ['2026-01-01T10:30-05:30', 'datetime', '2026-01-01T16:00:00.000Z'],
    ['2026-06-15T12:34:56.789123Z', 'datetime', '2026-06-15T12:34:56.789Z'],
    ['2026-06-15T12:34:56.5+00:00', 'datetime', '2026-06-15T12:34:56.500Z'],
    ['13:20:00', 'timeofday', '13:20:00'],
    ['13:20', 'timeofday', '13:20:00'],
    ['23:59:59.125', 'timeofday', '23:59:59.125'],
  ])('%s', (text, type, value) => {
    expect(literal(text)).toEqual({ type, value });
  });

  it.each([
    ['2026-13-01', 5, 'Invalid month 13'],
    ['2026-00-10', 5, 'Invalid month 00'],
    ['2026-02-29', 8, 'Invalid day 29 for 2026-02 (must be 01 to 28)'],
    ['1900-02-29', 8, 'Invalid day 29'],
    ['2026-04-31', 8, 'Invalid day 31 for 2026-04'],
    ['2026-1-01', 5, 'Expected two digits for the month'],
    ['2026-01-01T24:00:00Z', 11, 'Invalid hour 24'],
    ['2026-01-01T10:60Z', 14, 'Invalid minute 60'],
    [
      '2026-01-01T00:00:00',
      19,
      "Expected 'Z' or a time zone offset like +01:00 after the time, found end of input",
    ],
    ['2026-01-01T00:00:00 01:00', 19, 'encode it as %2B'],
    ['2026-01-01T00:00:00+1:00', 20, 'Expected two digits for the offset hour'],
    ['2026-01-01T00:00:00.Z', 20, 'Expected 1 to 12 digits of fractional seconds'],
    ['25:00', 0, 'Invalid hour 25'],
    ['12:00:00x', 8, "Unexpected 'x' after time-of-day literal"],
  ])('rejects %s', (text, pos, message) => {
    const e = syntaxError(() => literal(text));
    expect(e.message).toContain(message);
    expect(e.position).toBe(pos);
  });
});

describe('GUIDs', () => {
  it('reads and lower-cases a GUID', () => {
    expect(literal('3FA85F64-5717-4562-B3FC-2C963F66AFA6')).toEqual({
      type: 'guid',
      value: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    });
  });

  it.each(['3fa85f64-5717-4562-b3fc-2c963f66afa', '3fa85f64-5717-4562-b3fc-2c963f66afa6x', 'deadbeef'])(
    'does not take %s for a GUID',
    (text) => {
      expect(new Lexer(text, '$filter').atGuid()).toBe(false);
    },
  );
});

describe('strings', () => {
  it.each([
    ["'Acme'", 'Acme'],
    ["''", ''],
    ["'O''Neil'", "O'Neil"],
    ["''''", "'"],
    ["'a b\tc'", 'a b\tc'],
  ])('%s', (text, value) => {
    const lx = new Lexer(text, '$filter');
    expect(lx.readString()).toBe(value);
    expect(lx.pos).toBe(text.length);
  });

  it('reports an unterminated string at its opening quote', () => {
    const e = syntaxError(() => new Lexer("'O''Neil", '$filter').readString());
    expect(e.position).toBe(0);
    expect(e.message).toContain('Unterminated string literal');
  });

  it.each([
    ["'Ren\u0000ewal'", 9, 'a NUL character (U+0000), which text values cannot contain'],
    ["'O''Ne\u0000il'", 11, 'a NUL character (U+0000), which text values cannot contain'],
    ["'a\ud800'", 7, 'a lone UTF-16 surrogate (U+D800), which is not a Unicode character'],
  ])('refuses %j (text no database can store) at the character', (literalText, position, what) => {
    const lx = new Lexer(`x eq ${literalText}`, '$filter');
    lx.pos = 5;
    let error: unknown;
    try {
      lx.readString();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ODataError);
    expect(error).toMatchObject({ status: 400, code: 'InvalidValue', target: '$filter' });
    expect((error as Error).message).toBe(
      `The string literal starting at 5 contains ${what} ($filter, position ${position})`,
    );
  });
});

describe('durations', () => {
  const lx = new Lexer('', '$filter');
  it.each(['P1D', 'PT2H', 'P1DT2H30M', 'PT0.5S', '-P3DT4H5M6.789S', 'PT1M'])('accepts %s', (d) => {
    expect(() => lx.checkDuration(d, 0)).not.toThrow();
  });
  it.each(['P', 'PT', '1D', 'P1H', 'PT1D', 'P1Y', 'PT1S2M', 'P1DT', 'PT.5S', 'PT1.S', 'P1D1D'])(
    'rejects %s',
    (d) => {
      expect(() => lx.checkDuration(d, 0)).toThrow(/Invalid duration/);
    },
  );
});

describe('identifiers', () => {
  it('reads qualified names', () => {
    const lx = new Lexer('Namespace.Type/Prop', '$filter');
    expect(lx.readQualifiedName()).toBe('Namespace.Type');
    expect(lx.peek()).toBe('/');
  });

  it('accepts Unicode letters', () => {
    expect(new Lexer('Größe', '$filter').readIdentifier()).toBe('Größe');
  });

  it('caps identifier length', () => {
    expect(() => new Lexer('a'.repeat(129), '$filter').readIdentifier()).toThrow(/longer than 128/);
  });

  it('caps the input length', () => {
    const e = syntaxError(() => new Lexer('a'.repeat(8001), '$filter'));
    expect(e.status).toBe(400);
    expect(e.message).toContain('too long');
  });
});
