// Sends requests exactly as written and judges the answers by the service's promise: no 5xx
// (but 501 for what it knowingly does not implement), and an OData error body with every error.
import { type Agent, request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** the parsed JSON, when the answer is JSON */
  body: unknown;
  /** why there is no usable answer (none in time, or JSON that does not parse) */
  problem?: string;
}

export interface RawRequest {
  method?: string;
  /** path and query under the service root, e.g. `/Pipeline?$top=1`, sent byte for byte */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const REQUEST_TIMEOUT_MS = 5000;

/**
 * Sends with node:http, so that the request target arrives as built (fetch would cut a raw '#'
 * off as a fragment and re-encode other characters); the answer must come within the timeout.
 * Give each simulated client its own keep-alive `agent` to have it use its own connection.
 */
export function sendRaw(
  serviceRoot: string,
  request: RawRequest,
  agent?: Agent,
  /** sent as Authorization: Bearer, unless the request names its own Authorization */
  token?: string,
): Promise<Answer> {
  const root = new URL(serviceRoot);
  return new Promise((resolve) => {
    const fail = (e: unknown) =>
      resolve({ status: 0, contentType: '', text: '', body: undefined, problem: `no answer: ${e}` });
    const req = httpRequest(
      {
        host: root.hostname,
        port: root.port,
        method: request.method ?? 'GET',
        path: `${root.pathname}${request.path}`,
        headers: {
          // node:http frames the body of a DELETE (or GET) with no Content-Length: its bytes
          // would read as the start of the next request
          ...(request.body !== undefined
            ? {
                'Content-Type': 'application/json',
                'Content-Length': String(Buffer.byteLength(request.body)),
              }
            : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...request.headers,
        },
        agent,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = response.headers['content-type'] ?? '';
          const answer: Answer = { status: response.statusCode ?? 0, contentType, text, body: undefined };
          if (contentType.startsWith('application/json') && request.method !== 'HEAD') {
            try {
              answer.body = JSON.parse(text);
            } catch {
              answer.problem = 'body is not JSON';
            }
          }
          resolve(answer);
        });
      },
    );
    req.on('error', fail);
    req.end(request.body);
  });
}

/** An OData error body: `{ error: { code: string, message: string } }`. */
export function isErrorBody(body: unknown): boolean {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' && error.code !== '' && typeof error.message === 'string';
}

/** Why an answer breaks the service's promise; undefined when it keeps it. A HEAD has no body to check. */
export function brokenPromise(answer: Answer, method = 'GET'): string | undefined {
  if (answer.problem) return answer.problem;
  const { status } = answer;
  if (status >= 500 && status !== 501) return `status ${status}`;
  if (status >= 400 && method !== 'HEAD') {
    if (!answer.contentType.startsWith('application/json')) {
      return `${status} with content type ${answer.contentType || '(none)'}, not JSON`;
    }
    if (!isErrorBody(answer.body)) return `${status} without an OData error body`;
  }
  return undefined;
}
