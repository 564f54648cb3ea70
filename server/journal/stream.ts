// The change stream (GET /v1/changes): the journal's entries as Server-Sent Events, live and
// resumable, filtered by the reader's access policy (stream-access.ts).
//
// One ChangeFeed per instance reads the journal for all of its subscribers: on PostgreSQL when a
// notification says a write committed (journal.ts sends its newest sequence number on the channel
// `dealdeck_changes`; one dedicated connection LISTENs, with keep-alive, and after a reconnect
// reads what it missed), on SQLite by polling the newest entries every `pollMs` while someone
// is subscribed, and at once when a write of this process finishes (nudge). Writes on other
// instances reach every instance this way.
//
// Each subscriber has a bounded buffer of its own: a client that does not read fills its buffer
// and is dropped (its connection ended), and resumes with Last-Event-ID; the others go on.
import pg from 'pg';
import { accessPolicy } from '../access/policy.ts';
import type { AccessSettings, Principal } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import { changesChannel, type JournalEntry, journalReach, readJournal } from './journal.ts';
import { EntryJudge, type StreamEntry, StreamReader } from './stream-access.ts';

export interface ChangeStreamSettings {
  /** a comment line this often, so that proxies keep an idle stream open */
  heartbeatMs: number;
  /** SQLite (and PostgreSQL without a URL to LISTEN with): how often the journal is polled */
  pollMs: number;
  /** a subscriber whose unsent events reach either limit is dropped */
  maxBufferedEvents: number;
  maxBufferedBytes: number;
  /** what the client waits before reconnecting (the stream's `retry:`) */
  retryMs: number;
  /** entries read from the journal at once */
  pageSize: number;
  /**
   * How often an open stream's credentials are checked again: a revoked token, an ended session,
   * a deactivated person or a changed role ends the stream (the client reconnects, or gets 401)
   */
  recheckMs: number;
}

export const defaultChangeStreamSettings: ChangeStreamSettings = {
  heartbeatMs: 15_000,
  pollMs: 200,
  maxBufferedEvents: 1000,
  maxBufferedBytes: 1024 * 1024,
  retryMs: 2000,
  pageSize: 500,
  recheckMs: 60_000,
};

const encoder = new TextEncoder();

export const changeEvent = (entry: StreamEntry) =>
  `id: ${entry.sequence}\nevent: change\ndata: ${JSON.stringify(entry)}\n\n`;

/** One open stream: a reader, where it stands, and the bytes not yet taken by its connection. */
export class Subscriber {
  /** the newest sequence number sent (or judged not to be sent) */
  cursor: number;
  /** false while it catches up from the journal on its own */
  live = false;
  closed = false;
  /** called once when the stream closes, however it does */
  onClosed: (() => void) | undefined;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private wakeReader: (() => void) | undefined;
  private drainWaiters: (() => void)[] = [];
  /** chunks the connection has taken, and how many it had at the last heartbeat */
  private taken = 0;
  private takenAtHeartbeat = 0;
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(
    readonly reader: StreamReader,
    cursor: number,
    private limits: Pick<ChangeStreamSettings, 'maxBufferedEvents' | 'maxBufferedBytes'>,
    readonly connection: StreamConnection,
    private onClose: (subscriber: Subscriber, dropped: boolean) => void,
  ) {
    this.cursor = cursor;
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        // asked for more only once the connection took the last chunk (Node waits for 'drain')
        pull: () => {
          if (this.queue.length === 0)
            return new Promise<void>((resolve) => (this.wakeReader = resolve)).then(() => this.hand());
          this.hand();
        },
        cancel: () => this.close(),
      },
      { highWaterMark: 0 },
    );
  }

  private hand() {
    if (this.closed || this.queue.length === 0) return;
    const chunk = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
    this.queue = [];
    this.queuedBytes = 0;
    this.controller.enqueue(chunk);
    this.taken++;
    this.settleDrained();
  }

  private settleDrained() {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Settles once the connection has taken everything queued (it asks for more only after the
   * last chunk was written out): a replay waits for it between pages, so that a long replay
   * goes at the client's pace instead of filling the buffer.
   */
  drained(): Promise<void> {
    if (this.queue.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * At a heartbeat: a comment to an idle stream; a stream over the limits whose client took
   * nothing since the last heartbeat is dropped (one that reads, however slowly, is not).
   */
  heartbeat() {
    const stuck = this.taken === this.takenAtHeartbeat;
    this.takenAtHeartbeat = this.taken;
    if (this.full) {
      if (stuck) this.drop();
    } else if (this.queue.length === 0) this.send(': keep-alive\n\n');
  }

  get buffered() {
    return { events: this.queue.length, bytes: this.queuedBytes };
  }

  /** Whether what the client has not taken yet is over the limits. */
  get full() {
    return (
      this.queue.length > this.limits.maxBufferedEvents || this.queuedBytes > this.limits.maxBufferedBytes
    );
  }

  /**
   * Queues text for the client. A client still holding more than the limits unread when more
   * comes is dropped: a batch of entries is queued whole (so that one larger than the limits does
   * not drop the clients that read), and the memory a subscriber holds stays under the limits
   * plus one batch.
   */
  send(text: string | string[]) {
    if (this.closed) return;
    if (this.full) {
      this.drop();
      return;
    }
    for (const piece of typeof text === 'string' ? [text] : text) {
      const bytes = encoder.encode(piece);
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
    }
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  /** Entries of the journal, oldest first: those after the cursor the reader may see. */
  async deliver(entries: JournalEntry[], judge: EntryJudge) {
    const fresh = entries.filter((e) => e.sequence > this.cursor);
    if (fresh.length === 0 || this.closed) return;
    const visible = await this.reader.view(fresh, judge);
    const events = visible.filter((entry) => entry.sequence > this.cursor).map(changeEvent);
    if (events.length > 0) this.send(events);
    this.cursor = Math.max(this.cursor, fresh.at(-1)!.sequence);
  }

  /** A slow client: its connection ends, the client resumes from its Last-Event-ID. */
  drop() {
    if (this.closed) return;
    this.close(true);
    this.queue = [];
    this.queuedBytes = 0;
    this.connection.destroy();
    try {
      this.controller.close();
    } catch {}
  }

  /** Ends the stream after what is queued (the server closes). */
  end() {
    if (this.closed) return;
    this.hand();
    this.close();
    try {
      this.controller.close();
    } catch {}
  }

  private close(dropped = false) {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this, dropped);
    this.onClosed?.();
    this.settleDrained();
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }
}

export interface ChangeFeedOptions {
  /** postgres://...: LISTEN for notifications on a dedicated connection; else poll */
  listenUrl?: string;
  settings?: Partial<ChangeStreamSettings>;
  /** reports errors of the background reader (default: console.error) */
  onError?: (error: Error) => void;
}

/**
 * The one reader of the journal in an instance: reads each new entry once and hands it to every
 * subscriber. Runs only while someone is subscribed.
 */
export class ChangeFeed {
  readonly settings: ChangeStreamSettings;
  private subscribers = new Set<Subscriber>();
  /** the newest sequence number read and handed out */
  private last = 0;
  private started: Promise<void> | undefined;
  private reading = false;
  private readAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private listener: Listener | undefined;
  private closed = false;
  /** reads and fan-outs done, for tests and measurements */
  readonly stats = { reads: 0, entries: 0, dropped: 0, notifications: 0, reconnects: 0 };

  constructor(
    private store: Store,
    private options: ChangeFeedOptions = {},
  ) {
    this.settings = { ...defaultChangeStreamSettings, ...options.settings };
  }

  get subscriberCount() {
    return this.subscribers.size;
  }

  /** Whether the feed watches the journal (a poll timer or a LISTEN connection): only while subscribed. */
  get watching() {
    return this.pollTimer !== undefined || this.listener !== undefined;
  }

  /** Where a stream that names no starting point starts: the newest entry. */
  async newest() {
    return (await journalReach(this.store)).newest;
  }

  /**
   * Opens a stream for a principal: entries after `after` (or from now), then live. `reset` when
   * the journal no longer reaches back to `after`: the client must refetch.
   */
  async subscribe(
    principal: Principal,
    access: AccessSettings,
    after: number | undefined,
    connection: StreamConnection,
  ): Promise<Subscriber> {
    if (this.closed) throw new Error('The service is closing');
    const reader = new StreamReader(this.store, accessPolicy(principal, access, this.store.dialect.name));
    const reach = await journalReach(this.store);
    const reset = after !== undefined && (after > reach.newest || after + 1 < reach.oldest);
    const start = after === undefined || reset ? reach.newest : after;
    const subscriber = new Subscriber(reader, start, this.settings, connection, (s, dropped) => {
      if (dropped) this.stats.dropped++;
      this.unsubscribe(s);
    });
    subscriber.send(`retry: ${this.settings.retryMs}\n\n`);
    if (reset) subscriber.send(`id: ${reach.newest}\nevent: reset\ndata: ${reach.newest}\n\n`);
    this.subscribers.add(subscriber);
    if (!this.started) this.started = this.start();
    const starting = this.started;
    try {
      await starting;
    } catch (error) {
      // (the database is unreachable): the next stream tries again
      if (this.started === starting) {
        this.started = undefined;
        this.stopSources();
      }
      subscriber.drop();
      throw error;
    }
    void this.catchUp(subscriber).catch((error) => {
      this.report(error);
      subscriber.drop();
    });
    return subscriber;
  }

  /** Reads the journal for a subscriber behind the feed until it reaches it, then goes live. */
  private async catchUp(subscriber: Subscriber) {
    while (!subscriber.closed) {
      // synchronous from this check to going live: no batch of the feed can slip between
      if (subscriber.cursor >= this.last) {
        subscriber.live = true;
        return;
      }
      await subscriber.drained();
      if (subscriber.cursor >= this.last) continue;
      const entries = await readJournal(this.store, {
        after: subscriber.cursor,
        limit: this.settings.pageSize,
      });
      if (entries.length === 0) {
        // the feed read entries this reader does not see: nothing left to catch up on
        subscriber.cursor = Math.max(subscriber.cursor, this.last);
        continue;
      }
      await subscriber.deliver(entries, new EntryJudge(this.store));
    }
  }

  private unsubscribe(subscriber: Subscriber) {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0 && this.started) {
      this.started = undefined;
      this.stopSources();
    }
  }

  private async start() {
    this.heartbeatTimer = setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.heartbeat();
    }, this.settings.heartbeatMs);
    this.heartbeatTimer.unref();
    if (this.options.listenUrl) {
      this.listener = new Listener(this.options.listenUrl, {
        onNotification: (payload) => {
          this.stats.notifications++;
          if (Number(payload) > this.last) this.wake();
        },
        onReconnect: () => {
          this.stats.reconnects++;
          this.wake();
        },
        onError: (error) => this.report(error),
      });
      // listening before the newest entry is read: a write that commits in between is read
      await this.listener.start();
    } else {
      this.pollTimer = setInterval(() => this.wake(), this.settings.pollMs);
      this.pollTimer.unref();
    }
    this.last = await this.newest();
  }

  private stopSources() {
    clearInterval(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    this.pollTimer = undefined;
    this.heartbeatTimer = undefined;
    const listener = this.listener;
    this.listener = undefined;
    this.listenerStopping = listener?.stop() ?? this.listenerStopping;
  }

  private listenerStopping: Promise<void> = Promise.resolve();

  /** A write of this process finished: read the journal now rather than at the next poll. */
  nudge() {
    if (!this.options.listenUrl) this.wake();
  }

  /** Reads the entries after the last one read, once, and hands them to every live subscriber. */
  wake() {
    if (!this.started || this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    void this.readNew()
      .catch((error) => this.report(error))
      .finally(() => {
        this.reading = false;
      });
  }

  private async readNew() {
    do {
      this.readAgain = false;
      await this.started;
      if (!this.started || this.closed) return;
      const entries = await readJournal(this.store, { after: this.last, limit: this.settings.pageSize });
      if (entries.length === 0) continue;
      this.stats.reads++;
      this.stats.entries += entries.length;
      this.last = entries.at(-1)!.sequence;
      const judge = new EntryJudge(this.store);
      const live = [...this.subscribers].filter((s) => s.live);
      await Promise.all(
        live.map((s) =>
          s.deliver(entries, judge).catch((error) => {
            this.report(error);
            s.drop();
          }),
        ),
      );
      if (entries.length === this.settings.pageSize) this.readAgain = true;
    } while (this.readAgain);
  }

  private report(error: Error) {
    (this.options.onError ?? ((e: Error) => console.error(`The change stream: ${e.message}`)))(error);
  }

  /**
   * Ends every stream and stops reading. A client that does not take the end within `graceMs`
   * (it stopped reading) has its connection cut, so that closing the server never waits on it.
   */
  async close(graceMs = 1000) {
    this.closed = true;
    const open = [...this.subscribers];
    for (const subscriber of open) subscriber.end();
    this.started = undefined;
    this.stopSources();
    await this.listenerStopping;
    if (open.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(open.map((s) => s.connection.finished)), late]);
    clearTimeout(timer);
    for (const subscriber of open) subscriber.connection.destroy();
  }

  /** For tests: breaks the LISTEN connection as a network failure would. */
  breakListenConnection() {
    this.listener?.breakConnection();
  }
}

/** The HTTP connection of a stream, as the feed needs it. */
export interface StreamConnection {
  /** ends the connection at once, unless it has already finished */
  destroy(): void;
  /** settles when the connection has closed */
  finished: Promise<void>;
}

/**
 * PostgreSQL LISTEN on a dedicated connection (a pooled one would be closed when idle), with
 * TCP keep-alive; reconnects after an error with a growing pause, LISTENs again and reports the
 * reconnect so the feed reads what it missed.
 */
class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private url: string,
    private events: {
      onNotification(payload: string): void;
      onReconnect(): void;
      onError(error: Error): void;
    },
  ) {}

  async start() {
    await this.connect();
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    // an error before LISTEN rejects connect() or query(): the caller retries
    const early = () => {};
    client.on('error', early);
    try {
      await client.connect();
      await client.query(`LISTEN ${changesChannel}`);
    } catch (error) {
      client.end().catch(() => {});
      throw error;
    }
    client.off('error', early);
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === changesChannel) this.events.onNotification(message.payload ?? '');
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('end');
      client.end().catch(() => {});
      if (this.stopped) return;
      if (error) this.events.onError(new Error(`LISTEN connection lost: ${error.message}; reconnecting`));
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the connection ended')));
    this.retryMs = 100;
  }

  private scheduleReconnect() {
    this.timer = setTimeout(async () => {
      if (this.stopped) return;
      try {
        await this.connect();
        this.events.onReconnect();
      } catch (error) {
        this.events.onError(error as Error);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
        this.scheduleReconnect();
      }
    }, this.retryMs);
    this.timer.unref();
  }

  /** for tests: breaks the connection as a network failure would */
  breakConnection() {
    (
      this.client as unknown as { connection?: { stream?: { destroy(): void } } }
    )?.connection?.stream?.destroy();
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    client?.removeAllListeners('end');
    await client?.end().catch(() => {});
  }
}
