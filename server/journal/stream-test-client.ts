// A small Server-Sent Events client for the tests of the change stream: reads a stream with
// fetch, keeps every event and comment, and waits for one with a timeout.

export interface ServerEvent {
  id?: string;
  event: string;
  data: string;
  /** performance.now() when it arrived */
  at: number;
}

export class EventStreamClient {
  readonly events: ServerEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  ended = false;
  private waiters = new Set<() => void>();
  private abort = new AbortController();

  private constructor(readonly response: Response) {}

  /** Opens a stream; resolves once the answer's head has arrived. */
  static async open(url: string, headers: Record<string, string> = {}) {
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    const client = new EventStreamClient(response);
    client.abort = abort;
    if (response.ok && response.body) void client.read(response.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of body) {
        text += decoder.decode(chunk, { stream: true });
        let end = text.indexOf('\n\n');
        while (end >= 0) {
          this.take(text.slice(0, end));
          text = text.slice(end + 2);
          end = text.indexOf('\n\n');
        }
        this.notify();
      }
    } catch {
      // aborted or cut
    }
    this.ended = true;
    this.notify();
  }

  private take(block: string) {
    const event: ServerEvent = { event: 'message', data: '', at: performance.now() };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'retry') this.retry = Number(value);
      else if (field === 'data') {
        event.data = hasData ? `${event.data}\n${value}` : value;
        hasData = true;
      }
    }
    if (hasData) this.events.push(event);
  }

  private notify() {
    for (const waiter of this.waiters) waiter();
  }

  /** The change entries received so far. */
  get changes() {
    return this.events.filter((e) => e.event === 'change').map((e) => JSON.parse(e.data));
  }

  /** Waits until `found` returns something, or fails after `timeoutMs`. */
  until<T>(found: (client: EventStreamClient) => T | undefined | false, timeoutMs = 5000, what = 'an event') {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const result = found(this);
        if (result !== undefined && result !== false) {
          done();
          resolve(result);
        } else if (this.ended) {
          done();
          reject(new Error(`The stream ended before ${what} arrived`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for a change entry that matches. */
  // biome-ignore lint/suspicious/noExplicitAny: entries are checked loosely in tests
  change(match: (entry: any) => boolean, timeoutMs = 5000) {
    return this.until(
      (c) => c.events.find((e) => e.event === 'change' && match(JSON.parse(e.data))),
      timeoutMs,
      'the change',
    );
  }

  close() {
    this.abort.abort();
  }
}
