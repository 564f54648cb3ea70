// Which text values the service accepts, in URL literals and in JSON bodies alike.
//
// Two kinds of character are refused (400) wherever a client gives text, rather than answered:
// - U+0000 (NUL): PostgreSQL cannot hold it in text at all, and SQLite's C interfaces (its FTS5
//   query syntax among them) read it as the end of the string. A NUL could never be stored on
//   one of the two databases, so neither takes it, and a filter with one could only match
//   nothing: saying so is clearer than an empty answer.
// - A lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), as JSON's "\ud800" can write:
//   it is not a Unicode character and has no UTF-8 form, so the drivers would store U+FFFD (or
//   three of them) instead, and the value read back would differ from the one written. A URL
//   cannot carry one: its percent-encoding is UTF-8, where %ED%A0%80 is malformed, so the URL
//   decoder refuses it with 400 for the same reason.

export interface UnstorableCharacter {
  /** offset of the character in the text (UTF-16 code units, as JavaScript counts) */
  index: number;
  /** what it is and why it is refused, for the error message */
  description: string;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first character of `text` that no database of the service can store, if any. */
export function unstorableCharacter(text: string): UnstorableCharacter | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) {
      return { index: i, description: 'a NUL character (U+0000), which text values cannot contain' };
    }
    if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
      i++; // a well-formed pair: one character outside the Basic Multilingual Plane
      continue;
    }
    if (isHighSurrogate(code) || isLowSurrogate(code)) {
      return {
        index: i,
        description: `a lone UTF-16 surrogate (${hex(code)}), which is not a Unicode character`,
      };
    }
  }
  return undefined;
}
