// A stand-in for the OData service in unit tests: routes by method and path prefix, records
// every request so tests can check what was sent.
import { vi } from 'vitest';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Handler = (
  request: RecordedRequest,
) =>
  | { status?: number; body?: unknown; headers?: Record<string, string> }
  | Promise<{ status?: number; body?: unknown; headers?: Record<string, string> }>;

export function fakeService(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const request: RecordedRequest = {
      method: init.method ?? 'GET',
      url,
      headers: new Headers(init.headers),
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    requests.push(request);
    const path = decodeURIComponent(url.pathname);
    const key = Object.keys(routes)
      .filter((route) => {
        const [method, prefix] = route.split(' ');
        return method === request.method && path.startsWith(prefix);
      })
      .sort((a, b) => b.length - a.length)[0];
    if (!key)
      return new Response(
        JSON.stringify({ error: { code: 'NotFound', message: `No route for ${request.method} ${path}` } }),
        { status: 404 },
      );
    const answer = await routes[key](request);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json', ...answer.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, fetchMock };
}
