// Reading an import file record by record, never the whole file at once: NDJSON line by line
// (node:readline), CSV through a streaming parser (csv.ts).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One record of an import file, or why it could not be read. */
export interface SourceRecord {
  /** 1-based line of the file where the record starts */
  line: number;
  /** the line where it ends, when it spans several (CSV fields with line breaks) */
  lastLine?: number;
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

/** NDJSON: one JSON object a line; blank lines are skipped. */
export async function* ndjsonRecords(input: Readable): AsyncGenerator<SourceRecord> {
  for await (const { line, text } of readLines(input)) {
    // a byte order mark some editors put at the start of a UTF-8 file
    const json = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (json.trim() === '') continue;
    let body: unknown;
    try {
      body = JSON.parse(json);
    } catch (error) {
      yield { line, problem: { message: `invalid JSON: ${(error as Error).message}` } };
      continue;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      yield { line, problem: { message: 'a line must hold one JSON object, such as {"Name": "..."}' } };
      continue;
    }
    yield { line, body: body as Record<string, unknown> };
  }
}
