// Heads Node's HTTP parser or the app refuse for their size: each answer is an OData error body
// with a 4xx (414 for a URL, 431 for headers), never Node's bare status line.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';
import { maxUrlBytes } from './app.ts';

const service = withTestService();

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Sends `head` over a fresh connection, in one write or in pieces of `piece` bytes; all it got back. */
function sendRawText(head: string, piece?: number): Promise<string> {
  const { port, hostname } = new URL(service.server.origin);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, async () => {
      if (!piece) socket.write(head);
      else {
        for (let i = 0; i < head.length && !socket.destroyed; i += piece) {
          socket.write(head.slice(i, i + piece));
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {}); // the server may close while the head is still being written
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The first answer to `head`. */
async function sendRaw(head: string, piece?: number): Promise<RawAnswer> {
  const text = await sendRawText(head, piece);
  const [top, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = top.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  const status = Number(statusLine.split(' ')[1]);
  if (!status) throw new Error(`no answer: ${JSON.stringify(text.slice(0, 200))}`);
  const body = rest.join('\r\n\r\n');
  return { status, headers, body: body ? JSON.parse(body) : undefined };
}

/** A GET of `/v1/odata/Pipeline?x=...` whose path and query are `bytes` long (x is ignored). */
const getOfLength = (bytes: number, headers = '') => {
  const start = '/v1/odata/Pipeline?$top=1&x=';
  return `GET ${start}${'a'.repeat(bytes - start.length)} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${service.apiToken}\r\n${headers}Connection: close\r\n\r\n`;
};

const expectODataError = (answer: RawAnswer, status: number, code: string) => {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.body.error).toMatchObject({ code, message: expect.any(String) });
};

describe('URL length', () => {
  it(`reads a URL of ${maxUrlBytes} bytes, with 8 KiB of headers beside it`, async () => {
    const answer = await sendRaw(getOfLength(maxUrlBytes, `X-Padding: ${'p'.repeat(8 * 1024)}\r\n`));
    expect(answer.status).toBe(200);
    expect(answer.body.value).toHaveLength(1);
  });

  it('answers a URL one byte longer with 414 from the app, CORS headers included', async () => {
    const answer = await sendRaw(getOfLength(maxUrlBytes + 1));
    expectODataError(answer, 414, 'URITooLong');
    expect(answer.body.error.message).toBe(
      `The URL is ${maxUrlBytes + 1} bytes long; the limit is ${maxUrlBytes} bytes: send fewer or shorter query options`,
    );
    expect(answer.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([40_000, 300_000])(
    'answers a URL of %i bytes, beyond Node’s head limit, with 414',
    async (bytes) => {
      const answer = await sendRaw(getOfLength(bytes));
      expectODataError(answer, 414, 'URITooLong');
      expect(answer.body.error.message).toBe(
        `The URL is longer than ${maxUrlBytes} bytes: send fewer or shorter query options`,
      );
      expect(answer.headers.connection).toBe('close');
    },
  );

  // the chunk that overflows shows neither end of the URL: 414 with a message naming both limits,
  // or the exact one when a busy server reads the pieces as one chunk
  it('answers 414 for a long URL that arrives in small pieces', async () => {
    const answer = await sendRaw(getOfLength(40_000), 1000);
    expectODataError(answer, 414, 'URITooLong');
    expect([
      'The URL (or a header) is too long: URLs may have 16384 bytes, the request line and headers together 32768',
      `The URL is longer than ${maxUrlBytes} bytes: send fewer or shorter query options`,
    ]).toContain(answer.body.error.message);
  });
});

describe('header size', () => {
  const headerLimits = 'URLs may have 16384 bytes, the request line and headers together 32768';

  it.each([
    ['one large header', `X-Big: ${'b'.repeat(40_000)}\r\n`, undefined],
    ['one large header in pieces', `X-Big: ${'b b '.repeat(10_000)}\r\n`, 1000],
    [
      'thousands of headers',
      Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${'c'.repeat(20)}\r\n`).join(''),
      undefined,
    ],
  ])('answers %s with 431', async (_, headers, piece) => {
    const answer = await sendRaw(
      `GET /v1/odata/Pipeline HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`,
      piece,
    );
    expectODataError(answer, 431, 'RequestHeaderFieldsTooLarge');
    expect(answer.body.error.message).toBe(`The request headers are too large: ${headerLimits}`);
  });
});

describe('malformed requests', () => {
  it('are a 400 with an OData error body', async () => {
    const answer = await sendRaw('GET /v1/odata/Pipeline HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');
    expectODataError(answer, 400, 'BadRequest');
    expect(answer.body.error.message).toMatch(/^The request is not valid HTTP\/1.1: .+ \(HPE_/);
  });

  it('after a valid request on the same connection are answered after it, in order', async () => {
    // a body sent without its length: its bytes read as the start of a next request
    const text = await sendRawText(
      `GET /v1/odata/Pipeline?$top=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${service.apiToken}\r\n\r\n{"value":"x"}`,
    );
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(text.slice(text.lastIndexOf('\r\n\r\n') + 4)).toBe(
      JSON.stringify({
        error: {
          code: 'BadRequest',
          message: 'The request is not valid HTTP/1.1: Invalid method encountered (HPE_INVALID_METHOD)',
        },
      }),
    );
  });

  it('leave the service answering', async () => {
    expect((await service.api('/Pipeline?$top=1')).status).toBe(200);
  });
});
