// The app's own middleware: CORS headers on every API answer, preflights, and the body limit
// with and without a Content-Length.
import { describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';

const exposed = 'ETag,Location,OData-EntityId,Preference-Applied';

describe('CORS and body limits', () => {
  const service = withTestService();

  it('a read, a write and an error all carry the CORS headers', async () => {
    const read = await service.api('/Pipeline?$top=1', { headers: { Origin: 'http://elsewhere.example' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(read.headers.get('Access-Control-Expose-Headers')).toBe(exposed);
    expect(read.headers.get('OData-Version')).toBe('4.0');

    const created = await service.api('/Pipeline', { method: 'POST', json: { Name: 'CORS' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(created.headers.get('Access-Control-Expose-Headers')).toBe(exposed);
    expect(created.headers.get('ETag')).toMatch(/^W\/"/);

    const missing = await service.api('/NoSuchSet');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NotFound');
    expect(missing.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(missing.headers.get('Access-Control-Expose-Headers')).toBe(exposed);
  });

  it('a preflight is answered without reaching the service', async () => {
    const response = await service.api('/Pipeline', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://elsewhere.example',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'content-type, if-match',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('PATCH');
    expect(response.headers.get('Access-Control-Allow-Headers')).toBe('content-type,if-match');
  });

  it('a body streamed without Content-Length is limited too', async () => {
    const chunk = new TextEncoder().encode(`{"Name":"${'x'.repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 2 MiB, twice the limit, in chunks: fetch sends it with Transfer-Encoding: chunked
        if (sent++ < 32) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${service.server.serviceRoot}/Pipeline`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${service.apiToken}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PayloadTooLarge');
  });
});
