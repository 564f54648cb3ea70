import { describe, expect, it } from 'vitest';
import { bodyRewriter, rewriteStream, rewriteUrl } from './rewrite-urls.ts';

const from = 'https://api.tribecrm.nl/v1/odata';
const to = 'http://127.0.0.1:8080/v1/odata';

const page = JSON.stringify({
  '@odata.context': `${from}/$metadata#Activity_SalesOpportunity`,
  value: [
    {
      '@odata.id': `${from}/Activity_SalesOpportunity(1)`,
      Subject: `See ${from}/Activity_SalesOpportunity(1), {"x@odata.id":"${from}/y"}`,
      'Phase@odata.navigationLink': `${from}/Activity_SalesOpportunity(1)/Phase`,
      Note: 'a, "quoted" {value}',
    },
  ],
  '@odata.nextLink': `${from}/Activity_SalesOpportunity?$skiptoken=50`,
});

const expected = JSON.stringify({
  '@odata.context': `${to}/$metadata#Activity_SalesOpportunity`,
  value: [
    {
      '@odata.id': `${to}/Activity_SalesOpportunity(1)`,
      // a URL inside a value, even one that looks like an annotation, is data: it stays
      Subject: `See ${from}/Activity_SalesOpportunity(1), {"x@odata.id":"${from}/y"}`,
      'Phase@odata.navigationLink': `${to}/Activity_SalesOpportunity(1)/Phase`,
      Note: 'a, "quoted" {value}',
    },
  ],
  '@odata.nextLink': `${to}/Activity_SalesOpportunity?$skiptoken=50`,
});

describe('the URLs of an answer', () => {
  it('moves annotation URLs under our root and leaves data alone', () => {
    const rewriter = bodyRewriter(from, to);
    expect(rewriter.push(page) + rewriter.end()).toBe(expected);
  });

  it('gives the same result however the body is cut into chunks', () => {
    for (let cut = 1; cut < page.length; cut++) {
      const rewriter = bodyRewriter(from, to);
      const out = rewriter.push(page.slice(0, cut)) + rewriter.push(page.slice(cut)) + rewriter.end();
      expect(out, `cut at ${cut}`).toBe(expected);
    }
  });

  it('streams bytes, multi-byte characters split between chunks included', async () => {
    const text = `{"@odata.context":"${from}/$metadata#X","value":[{"Name":"Zoë ✓ ${'x'.repeat(5000)}"}],"@odata.nextLink":"${from}/X?$skiptoken=1"}`;
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.slice(i, i + 7));
    const stream = new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    }).pipeThrough(rewriteStream(from, to));
    const out = await new Response(stream).text();
    expect(out).toBe(text.split(from).join(to));
  });

  it('reads escaped slashes and keeps them escaped', () => {
    const escaped = (s: string) => s.replace(/\//g, '\\/');
    const rewriter = bodyRewriter(from, to);
    const text = `{"@odata.context":"${escaped(from)}\\/$metadata#X","value":[]}`;
    expect(rewriter.push(text) + rewriter.end()).toBe(
      `{"@odata.context":"${escaped(to)}\\/$metadata#X","value":[]}`,
    );
  });

  it('rewrites the Location lines of a $batch answer, not a root that only starts alike', () => {
    const rewriter = bodyRewriter(from, to);
    const batch = `--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 201 Created\r\nLocation: ${from}/X(1)\r\n\r\n{"@odata.id":"${from}2/X(1)"}\r\n--b--`;
    expect(rewriter.push(batch) + rewriter.end()).toBe(batch.replace(`Location: ${from}`, `Location: ${to}`));
  });

  it('moves a header URL only when it is under the root', () => {
    expect(rewriteUrl(`${from}/X(1)`, from, to)).toBe(`${to}/X(1)`);
    expect(rewriteUrl(from, from, to)).toBe(to);
    expect(rewriteUrl(`${from}?x=1`, from, to)).toBe(`${to}?x=1`);
    expect(rewriteUrl(`${from}2/X`, from, to)).toBe(`${from}2/X`);
    expect(rewriteUrl('https://elsewhere.example/X', from, to)).toBe('https://elsewhere.example/X');
  });
});
