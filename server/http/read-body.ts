// Reads a JSON request body, with clear errors for what is not JSON.
import type { Context } from 'hono';
import { ODataError } from '../query/errors.ts';

export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type');
  if (type && !/^application\/(json|[\w.+-]*\+json)\b/i.test(type)) {
    throw new ODataError(415, 'UnsupportedMediaType', `Send the body as application/json, not ${type}`);
  }
  const text = await c.req.text();
  if (text.trim() === '')
    throw new ODataError(400, 'InvalidBody', 'The request body is empty; send a JSON object');
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
