// The ceiling serves the very page the service serves: same bytes (but for its own origin in
// the URLs) and the same content type, so that the comparison is between two ways of serving
// one payload.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../server/start-server.ts';
import { pageOf50, startCeiling } from './ceiling.ts';

describe('the ceiling', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dealdeck-ceiling-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('serves the service page of 50 byte for byte', async () => {
    const file = join(folder, 'ceiling.db');
    const service = await startServer({
      databaseUrl: file,
      demoData: true,
      demoSize: 60,
      apiToken: 'ceiling',
    });
    const ceiling = await startCeiling(file);
    try {
      const fromService = await fetch(`${service.origin}${pageOf50}`, {
        headers: { Authorization: 'Bearer ceiling' },
      });
      const fromCeiling = await fetch(ceiling.url);
      const text = await fromService.text();
      expect(JSON.parse(text).value).toHaveLength(50);
      const ceilingOrigin = new URL(ceiling.url).origin;
      expect((await fromCeiling.text()).replaceAll(ceilingOrigin, service.origin)).toBe(text);
      expect(fromCeiling.headers.get('Content-Type')).toBe(fromService.headers.get('Content-Type'));
    } finally {
      await ceiling.close();
      await service.close();
    }
    // demo data and a second process: slow on a busy machine
  }, 90_000);
});
