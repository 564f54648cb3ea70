// Reads a JSON request body, with clear errors for what is not JSON.
import type { Context } from 'hono';
import { ODataError } from '../query/errors.ts';

/**
 * How deeply objects and arrays may nest in a body. Our deepest meaningful body is a record with
 * a link object in it (2 levels); 64 is the default of mainstream JSON readers (System.Text.Json,
 * Json.NET). Deeper bodies are refused before parsing: code that walks a parsed value
 * recursively (validation, JSON.stringify in messages) would overflow the stack on thousands of
 * levels.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Where the text's objects and arrays first nest deeper than `limit`, as a character offset, or
 * undefined. One forward scan that skips strings; malformed JSON is left to JSON.parse.
 */
export function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      if (++depth > limit) return i;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return undefined;
}

export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type');
  if (type && !/^application\/(json|[\w.+-]*\+json)\b/i.test(type)) {
    throw new ODataError(415, 'UnsupportedMediaType', `Send the body as application/json, not ${type}`);
  }
  const text = await c.req.text();
  if (text.trim() === '')
    throw new ODataError(400, 'InvalidBody', 'The request body is empty; send a JSON object');
  const tooDeep = nestingBeyond(text, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) {
    throw new ODataError(
      400,
      'InvalidBody',
      `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (at character ${tooDeep}); the limit is ${MAX_JSON_DEPTH}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ODataError(
      400,
      'InvalidJson',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
