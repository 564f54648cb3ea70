// Starts the real service on a free port for HTTP tests, with a small JSON client.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type RunningServer, type ServerOptions, startServer } from '../start-server.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export type TestRequestInit = RequestInit & {
  json?: unknown;
  /** the bearer token to send: by default the service's API_TOKEN (admin); null sends none */
  as?: string | null;
};

export interface TestService {
  server: RunningServer;
  /** the service's own token (API_TOKEN), sent by api() unless told otherwise */
  apiToken: string;
  /** request a path under the service root ('/Pipeline?$top=1') or an absolute URL */
  api<T = any>(path: string, init?: TestRequestInit): Promise<ApiResponse<T>>;
}

export async function request<T = any>(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<ApiResponse<T>> {
  const { json, headers, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    headers: {
      ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(headers as Record<string, string>),
    },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await response.text();
  let body: any = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body, text };
}

/** One service for the whole test file, stopped after it; requests carry its API_TOKEN. */
export function withTestService(options: Partial<ServerOptions> = {}): TestService {
  const service = { apiToken: options.apiToken ?? `test-${randomUUID()}` } as TestService;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = options.databaseUrl ? undefined : await createTestDatabase();
    service.server = await startServer({
      databaseUrl: database?.url ?? ':memory:',
      demoData: false,
      ...options,
      apiToken: service.apiToken,
    });
    service.api = (path, { as = service.apiToken, ...init } = {}) =>
      request(path.startsWith('http') ? path : `${service.server.serviceRoot}${path}`, {
        ...init,
        headers: {
          ...(as === null ? {} : { Authorization: `Bearer ${as}` }),
          ...(init.headers as Record<string, string>),
        },
      });
  });
  afterAll(async () => {
    await service.server?.close();
    await database?.drop();
  });
  return service;
}
