// Reading an import file record by record, never the whole file at once: NDJSON line by line
// (node:readline), CSV through a streaming parser (csv.ts). A line may also hold a whole page as
// a GET returns it ({"value": [...]}), and a file may be one JSON document spread over lines
// (a page saved pretty-printed).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One record of an import file, or why it could not be read. */
export interface SourceRecord {
  /** 1-based line of the file where the record starts */
  line: number;
  /** the line where it ends, when it spans several (CSV fields with line breaks) */
  lastLine?: number;
  /** 1-based position in its page, when the line holds a page of records */
  position?: number;
  body?: Record<string, unknown>;
  /** set when the record cannot be read (invalid JSON, a CSV row of the wrong length...) */
  problem?: { message: string; target?: string };
}

/** The lines of a text stream with their 1-based numbers; '\n' and '\r\n' both end a line. */
export async function* readLines(input: Readable): AsyncGenerator<{ line: number; text: string }> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    yield { line, text };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A page as a GET returns it: "value" holds the records, the rest are annotations. */
export const isPage = (body: Record<string, unknown>) =>
  Array.isArray(body.value) && Object.keys(body).every((key) => key === 'value' || key.includes('@'));

/** The records of one parsed JSON value found at `line`: an object, a page, or an array. */
export function* recordsOf(line: number, value: unknown): Generator<SourceRecord> {
  const list = Array.isArray(value)
    ? value
    : isObject(value) && isPage(value)
      ? (value.value as unknown[])
      : undefined;
  if (!list) {
    if (isObject(value)) yield { line, body: value };
    else yield { line, problem: { message: 'a line must hold one JSON object, such as {"Name": "..."}' } };
    return;
  }
  for (const [index, item] of list.entries()) {
    const position = index + 1;
    if (isObject(item)) yield { line, position, body: item };
    else yield { line, position, problem: { message: 'each record of a page must be a JSON object' } };
  }
}

/** A line that opens a JSON document spread over several lines. */
const opensDocument = (text: string) => text.trim() === '{' || text.trim() === '[';

/** NDJSON: one JSON object (or page) a line; blank lines are skipped. */
export async function* ndjsonRecords(input: Readable): AsyncGenerator<SourceRecord> {
  let document: { line: number; text: string }[] | undefined;
  let first = true;
  for await (const { line, text } of readLines(input)) {
    // a byte order mark some editors put at the start of a UTF-8 file
    const json = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (document) {
      document.push({ line, text: json });
      continue;
    }
    if (json.trim() === '') continue;
    if (first && opensDocument(json)) {
      document = [{ line, text: json }];
      continue;
    }
    first = false;
    yield* parsedLine(line, json);
  }
  if (!document) return;
  let whole: unknown;
  try {
    whole = JSON.parse(document.map((l) => l.text).join('\n'));
  } catch {
    // not one document after all: read it line by line, which names the bad lines
    for (const { line, text } of document) if (text.trim() !== '') yield* parsedLine(line, text);
    return;
  }
  yield* recordsOf(document[0].line, whole);
}

function* parsedLine(line: number, json: string): Generator<SourceRecord> {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch (error) {
    yield { line, problem: { message: `invalid JSON: ${(error as Error).message}` } };
    return;
  }
  if (Array.isArray(body)) {
    yield { line, problem: { message: 'a line must hold one JSON object, such as {"Name": "..."}' } };
    return;
  }
  yield* recordsOf(line, body);
}
