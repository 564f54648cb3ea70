// A character cursor over the decoded value of one query option, with readers for the lexical
// pieces of OData's URL syntax (identifiers, literals, whitespace). The parsers drive it lazily:
// what a character means depends on where the grammar is (e.g. `-` before a digit is part of a
// number literal, elsewhere it is the negation operator), so there is no separate token stream.
// Every reader is a single forward scan: no backtracking, no regular expressions on user input.

import type { LiteralExpr } from './ast.ts';
import { NotImplementedError, ODataError, QuerySyntaxError } from './errors.ts';
import { unstorableCharacter } from './storable-text.ts';

export const MAX_INPUT_LENGTH = 8000;
export const MAX_DEPTH = 100;
const MAX_IDENTIFIER_LENGTH = 128;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAsciiLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isHex = (c: string | undefined): boolean =>
  isDigit(c) || (c !== undefined && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
const UNICODE_LETTER = /^\p{L}$/u;

/** `identifierLeadingCharacter` of the OData ABNF (4.01 allows Unicode letters). */
export const isIdentStart = (c: string | undefined): boolean =>
  c !== undefined && (isAsciiLetter(c) || c === '_' || (c > '\x7f' && UNICODE_LETTER.test(c)));
export const isIdentChar = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c);
export const isWhitespace = (c: string | undefined): boolean => c === ' ' || c === '\t';

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

export class Lexer {
  pos = 0;
  /** nesting depth shared by every parser working on this text */
  depth = 0;

  constructor(
    readonly text: string,
    readonly option: string,
  ) {
    if (text.length > MAX_INPUT_LENGTH) {
      throw new QuerySyntaxError(
        option,
        MAX_INPUT_LENGTH,
        `The value of ${option} is too long (${text.length} characters; the limit is ${MAX_INPUT_LENGTH})`,
      );
    }
  }

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  startsWith(s: string, at = this.pos): boolean {
    return this.text.startsWith(s, at);
  }

  error(pos: number, message: string): QuerySyntaxError {
    return new QuerySyntaxError(this.option, pos, message);
  }

  notImplemented(message: string): NotImplementedError {
    return new NotImplementedError(message, this.option);
  }

  /** Enters one nesting level (parenthesis, function call, unary operator...); pair with `leave()`. */
  enter(pos: number): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) {
      throw this.error(pos, `Expression nested too deeply (more than ${MAX_DEPTH} levels)`);
    }
  }

  leave(): void {
    this.depth--;
  }

  /** Human-readable description of what is at `pos`, for "found ..." in error messages. */
  describe(pos = this.pos): string {
    if (pos >= this.text.length) return 'end of input';
    const c = this.text[pos];
    if (isWhitespace(c)) return 'whitespace';
    if (c === "'") return 'a string literal';
    if (isIdentChar(c)) {
      let end = pos;
      while (end < this.text.length && isIdentChar(this.text[end]) && end - pos < 30) end++;
      return `'${this.text.slice(pos, end)}'`;
    }
    return `'${c}'`;
  }

  /** Skips optional whitespace (BWS); returns how many characters were skipped. */
  skipWs(): number {
    const start = this.pos;
    while (isWhitespace(this.text[this.pos])) this.pos++;
    return this.pos - start;
  }

  /** Position of the first non-whitespace character at or after `from`. */
  afterWs(from = this.pos): number {
    let p = from;
    while (isWhitespace(this.text[p])) p++;
    return p;
  }

  expectChar(c: string, context: string): void {
    if (this.text[this.pos] !== c) {
      throw this.error(this.pos, `Expected '${c}' ${context}, found ${this.describe()}`);
    }
    this.pos++;
  }

  /** Expects the closing `)` of a group opened at `openPos`, allowing whitespace before it. */
  expectClose(openPos: number, what: string, alternatives = ''): void {
    this.skipWs();
    if (this.text[this.pos] !== ')') {
      const expected = alternatives && !this.atEnd ? `${alternatives} or ')'` : `')'`;
      throw this.error(
        this.pos,
        `Expected ${expected} to close ${what} opened at ${openPos}, found ${this.describe()}`,
      );
    }
    this.pos++;
  }

  /** Reads an odataIdentifier at the cursor, or returns undefined (cursor unchanged) if there is none. */
  readIdentifier(): string | undefined {
    if (!isIdentStart(this.text[this.pos])) return undefined;
    const start = this.pos;
    while (isIdentChar(this.text[this.pos])) this.pos++;
    if (this.pos - start > MAX_IDENTIFIER_LENGTH) {
      throw this.error(start, `Identifier is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
    }
    return this.text.slice(start, this.pos);
  }

  expectIdentifier(what: string): string {
    const id = this.readIdentifier();
    if (id === undefined) throw this.error(this.pos, `Expected ${what}, found ${this.describe()}`);
    return id;
  }

  /** Reads `Name(.Name)*` (a possibly namespace-qualified name). */
  readQualifiedName(): string | undefined {
    let name = this.readIdentifier();
    if (name === undefined) return undefined;
    while (this.text[this.pos] === '.' && isIdentStart(this.text[this.pos + 1])) {
      this.pos++;
      name += `.${this.readIdentifier()}`;
    }
    return name;
  }

  /** Reads a string literal `'...'` with `''` as an escaped quote; the cursor is on the opening quote. */
  readString(): string {
    const start = this.pos;
    let value = '';
    let p = start + 1;
    for (;;) {
      const q = this.text.indexOf("'", p);
      if (q < 0)
        throw this.error(start, `Unterminated string literal: no closing quote for the quote at ${start}`);
      value += this.text.slice(p, q);
      if (this.text[q + 1] === "'") {
        value += "'";
        p = q + 2;
      } else {
        this.checkStorable(start + 1, q);
        this.pos = q + 1;
        return value;
      }
    }
  }

  /** Refuses text no database can hold (see storable-text.ts), the same as in a JSON body. */
  private checkStorable(from: number, to: number): void {
    const found = unstorableCharacter(this.text.slice(from, to));
    if (!found) return;
    const position = from + found.index;
    throw new ODataError(
      400,
      'InvalidValue',
      `The string literal starting at ${from - 1} contains ${found.description} (${this.option}, position ${position})`,
      this.option,
    );
  }

  private digitsAt(p: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (!isDigit(this.text[p + i])) return false;
    return !isDigit(this.text[p + n]);
  }

  private hexRun(p: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (!isHex(this.text[p + i])) return false;
    return true;
  }

  /** True if a GUID `8-4-4-4-12` (hex) starts at the cursor and is not followed by an identifier character. */
  atGuid(): boolean {
    const p = this.pos;
    return (
      this.hexRun(p, 8) &&
      this.text[p + 8] === '-' &&
      this.hexRun(p + 9, 4) &&
      this.text[p + 13] === '-' &&
      this.hexRun(p + 14, 4) &&
      this.text[p + 18] === '-' &&
      this.hexRun(p + 19, 4) &&
      this.text[p + 23] === '-' &&
      this.hexRun(p + 24, 12) &&
      !isIdentChar(this.text[p + 36]) &&
      this.text[p + 36] !== '-'
    );
  }

  readGuid(): LiteralExpr {
    const pos = this.pos;
    this.pos += 36;
    return { kind: 'literal', type: 'guid', value: this.text.slice(pos, pos + 36).toLowerCase(), pos };
  }

  private twoDigits(what: string, max: number): number {
    const p = this.pos;
    if (!isDigit(this.text[p]) || !isDigit(this.text[p + 1]) || isDigit(this.text[p + 2])) {
      throw this.error(p, `Expected two digits for the ${what}, found ${this.describe(p)}`);
    }
    const n = Number(this.text.slice(p, p + 2));
    if (n > max) throw this.error(p, `Invalid ${what} ${this.text.slice(p, p + 2)} (must be at most ${max})`);
    this.pos += 2;
    return n;
  }

  /** `hh:mm[:ss[.fffffffffffff]]` at the cursor; returns the parts. */
  private readTime(): { h: number; m: number; s: number; frac: string } {
    const h = this.twoDigits('hour', 23);
    this.expectChar(':', 'between hour and minute');
    const m = this.twoDigits('minute', 59);
    let s = 0;
    let frac = '';
    if (this.text[this.pos] === ':') {
      this.pos++;
      s = this.twoDigits('second', 59);
      if (this.text[this.pos] === '.') {
        this.pos++;
        const start = this.pos;
        while (isDigit(this.text[this.pos])) this.pos++;
        frac = this.text.slice(start, this.pos);
        if (frac.length === 0 || frac.length > 12) {
          throw this.error(
            start,
            `Expected 1 to 12 digits of fractional seconds, found ${this.describe(start)}`,
          );
        }
      }
    }
    return { h, m, s, frac };
  }

  /** A date, date-time or time-of-day literal, or a number; the cursor is on a digit or '-'. */
  readNumberLike(): LiteralExpr {
    const pos = this.pos;
    const t = this.text;
    if (t[pos] !== '-') {
      if (this.digitsAt(pos, 4) && t[pos + 4] === '-' && isDigit(t[pos + 5]))
        return this.readDateOrDateTime();
      if (this.digitsAt(pos, 2) && t[pos + 2] === ':') {
        const { h, m, s, frac } = this.readTime();
        const value = `${pad(h)}:${pad(m)}:${pad(s)}${frac ? `.${frac}` : ''}`;
        this.checkLiteralEnd(pos, 'time-of-day');
        return { kind: 'literal', type: 'timeofday', value, pos };
      }
    }
    let p = pos;
    if (t[p] === '-') p++;
    const intStart = p;
    while (isDigit(t[p])) p++;
    if (p === intStart) throw this.error(p, `Expected a digit, found ${this.describe(p)}`);
    let isDecimal = false;
    if (t[p] === '.') {
      isDecimal = true;
      p++;
      const fracStart = p;
      while (isDigit(t[p])) p++;
      if (p === fracStart)
        throw this.error(p, `Expected a digit after the decimal point, found ${this.describe(p)}`);
    }
    if (t[p] === 'e' || t[p] === 'E') {
      isDecimal = true;
      p++;
      if (t[p] === '+' || t[p] === '-') p++;
      const expStart = p;
      while (isDigit(t[p])) p++;
      if (p === expStart)
        throw this.error(p, `Expected the digits of an exponent, found ${this.describe(p)}`);
    }
    this.pos = p;
    const text = t.slice(pos, p);
    this.checkLiteralEnd(pos, 'number');
    const value = Number(text);
    if (isDecimal) {
      if (!Number.isFinite(value)) throw this.error(pos, `Number ${text} is out of range`);
      return { kind: 'literal', type: 'decimal', value, pos };
    }
    if (!Number.isSafeInteger(value)) {
      throw this.error(
        pos,
        `Integer ${text} is out of range (at most ${Number.MAX_SAFE_INTEGER} in magnitude)`,
      );
    }
    return { kind: 'literal', type: 'int', value: value === 0 ? 0 : value, pos };
  }

  private checkLiteralEnd(start: number, what: string): void {
    const c = this.text[this.pos];
    if (isIdentChar(c) || c === '.' || c === ':' || c === "'" || c === '-') {
      throw this.error(this.pos, `Unexpected ${this.describe()} after ${what} literal starting at ${start}`);
    }
  }

  private readDateOrDateTime(): LiteralExpr {
    const pos = this.pos;
    const year = Number(this.text.slice(pos, pos + 4));
    this.pos += 5;
    const month = this.twoDigits('month', 12);
    if (month === 0) throw this.error(pos + 5, 'Invalid month 00 (must be 01 to 12)');
    this.expectChar('-', 'between month and day');
    const dayPos = this.pos;
    const day = this.twoDigits('day', 31);
    const maxDay = daysInMonth(year, month);
    if (day === 0 || day > maxDay) {
      throw this.error(dayPos, `Invalid day ${pad(day)} for ${year}-${pad(month)} (must be 01 to ${maxDay})`);
    }
    const date = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
    if (this.text[this.pos] !== 'T') {
      this.checkLiteralEnd(pos, 'date');
      return { kind: 'literal', type: 'date', value: date, pos };
    }
    this.pos++;
    const { h, m, s, frac } = this.readTime();
    const zonePos = this.pos;
    const z = this.text[zonePos];
    let offsetMinutes = 0;
    if (z === 'Z') {
      this.pos++;
    } else if (z === '+' || z === '-') {
      this.pos++;
      const oh = this.twoDigits('offset hour', 23);
      this.expectChar(':', 'between the hours and minutes of the time zone offset');
      const om = this.twoDigits('offset minute', 59);
      offsetMinutes = (z === '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      const hint =
        z === ' ' && isDigit(this.text[zonePos + 1])
          ? " (a '+' in the URL may have been decoded as a space: encode it as %2B)"
          : '';
      throw this.error(
        zonePos,
        `Expected 'Z' or a time zone offset like +01:00 after the time, found ${this.describe(zonePos)}${hint}`,
      );
    }
    this.checkLiteralEnd(pos, 'date-time');
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(h, m - offsetMinutes, s, Number(frac.slice(0, 3).padEnd(3, '0')));
    return { kind: 'literal', type: 'datetime', value: d.toISOString(), pos };
  }

  /** Validates the text of `duration'...'` (Edm.Duration: `[-]P[nD][T[nH][nM][n[.n]S]]`). */
  checkDuration(value: string, pos: number): void {
    let i = 0;
    const fail = (): never => {
      throw this.error(pos, `Invalid duration '${value}': expected an ISO 8601 duration such as P1DT2H30M`);
    };
    if (value[i] === '-' || value[i] === '+') i++;
    if (value[i++] !== 'P') fail();
    let components = 0;
    let timePart = false;
    const order = 'DHMS';
    let last = -1;
    while (i < value.length) {
      if (value[i] === 'T') {
        if (timePart) fail();
        timePart = true;
        i++;
        if (i >= value.length) fail();
        continue;
      }
      const start = i;
      while (isDigit(value[i])) i++;
      if (i === start) fail();
      if (value[i] === '.') {
        i++;
        const fs = i;
        while (isDigit(value[i])) i++;
        if (i === fs || value[i] !== 'S') fail();
      }
      const unit = order.indexOf(value[i] ?? '');
      if (unit < 0 || unit <= last || (unit === 0) === timePart) fail();
      last = unit;
      components++;
      i++;
    }
    if (components === 0) fail();
  }
}

export const pad = (n: number): string => String(n).padStart(2, '0');
