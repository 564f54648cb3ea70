// A real HTTP receiver for webhook tests, on 127.0.0.1: records every request and answers as
// the test says (a status, or no answer at all); tests wait for requests, never for time.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { sequence: number; id: string; kind: string; set: string; changes: Record<string, unknown> };
}

/** What to answer a request: a status code, or 'hang' (never answer: the sender times out). */
export type Answer = number | 'hang';

export class TestReceiver {
  readonly received: Received[] = [];
  /** decides the answer to each request; 200 unless replaced */
  answer: (request: Received) => Answer = () => 200;
  private waiters: { test: () => boolean; resolve: () => void }[] = [];
  private hanging: ServerResponse[] = [];
  private server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: Received = { headers: req.headers, body, json: JSON.parse(body) };
      this.received.push(request);
      const answer = this.answer(request);
      if (answer === 'hang') this.hanging.push(res);
      else res.writeHead(answer, { 'Content-Type': 'text/plain' }).end(answer < 300 ? 'thanks' : 'no');
      for (const waiter of [...this.waiters]) {
        if (waiter.test()) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  url = '';

  static async start() {
    const receiver = new TestReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
    return receiver;
  }

  /** Settles once the receiver has had `count` requests (or a condition on them holds). */
  until(test: number | ((received: Received[]) => boolean)): Promise<void> {
    const check = typeof test === 'number' ? () => this.received.length >= test : () => test(this.received);
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test: check, resolve }));
  }

  async close() {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
