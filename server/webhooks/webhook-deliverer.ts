// The delivery worker of an instance: turns new journal entries into deliveries and attempts
// those due, a few at a time. It learns of new entries from the instance's ChangeFeed (the change
// stream's reader: PostgreSQL LISTEN/NOTIFY, or polling and this process's nudges on SQLite),
// subscribed as the service itself while any subscription is active; retries wait on a timer set
// for the next due attempt. Every instance runs one; the database decides which instance attempts
// a delivery (delivery-queue.ts).
import { type Principal, servicePrincipal } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import type { ChangeFeed, Subscriber } from '../journal/stream.ts';
import {
  type ClaimedDelivery,
  claimDeliveries,
  enqueueChanges,
  finishAttempt,
  hasActiveSubscriptions,
  nextDue,
  pruneDeliveryLog,
} from './delivery-queue.ts';
import { sendWebhook } from './send-webhook.ts';
import type { DeliveryStatus } from './subscriptions.ts';
import type { WebhookSettings } from './webhook-settings.ts';

/** The feed's reader for webhooks: every entry (an admin registered them), README, Webhooks. */
const deliverer: Principal = { ...servicePrincipal, id: 'webhooks', name: 'Webhooks' };

export interface AttemptReport {
  deliveryId: string;
  subscriptionId: string;
  sequence: number;
  /** the delivery's state after the attempt; undefined when another instance had taken it over */
  status: DeliveryStatus | undefined;
  error?: string;
}

export class WebhookDeliverer {
  /** the cycle under way, if any */
  private running: Promise<void> | undefined;
  private runAgain = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Map<string, Promise<void>>();
  private feedSubscriber: Subscriber | undefined;
  private subscribing = false;
  private aborter = new AbortController();
  private lastPrune = 0;
  /** called after every attempt (tests wait on it) */
  onAttempt: ((report: AttemptReport) => void) | undefined;

  constructor(
    private store: Store,
    private feed: ChangeFeed,
    readonly settings: WebhookSettings,
    private onError: (error: Error) => void = (e) => console.error(`Webhooks: ${e.message}`),
  ) {}

  start() {
    this.wake();
  }

  /** Looks for new changes and due deliveries now (a write, a new subscription, a test's clock). */
  wake() {
    if (this.stopped) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    this.running = this.cycle()
      .catch((error) => this.onError(error as Error))
      .finally(() => {
        this.running = undefined;
        if (this.runAgain) {
          this.runAgain = false;
          this.wake();
        }
      });
  }

  private async cycle() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const active = await hasActiveSubscriptions(this.store);
    this.watchFeed(active);
    if (active) await enqueueChanges(this.store, this.settings);
    const free = this.settings.concurrency - this.inFlight.size;
    const claimed = await claimDeliveries(this.store, this.settings, free);
    for (const delivery of claimed) this.attempt(delivery);
    await this.pruneNow();
    if (this.stopped) return;
    // the next due attempt, or a look for subscriptions made on other instances
    let delay = this.settings.idleCheckMs;
    if (this.inFlight.size < this.settings.concurrency) {
      const due = await nextDue(this.store);
      if (due !== undefined) delay = Math.min(delay, Math.max(due - this.settings.now(), 0));
    }
    if (this.stopped || this.runAgain) return;
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  private attempt(delivery: ClaimedDelivery) {
    const work = (async () => {
      const outcome = await sendWebhook(
        { url: delivery.Url, secret: delivery.Secret, deliveryId: delivery.ID, body: delivery.Body },
        this.settings,
        this.aborter.signal,
      );
      // a stopped service leaves the delivery claimed: its lease runs out, and it is tried again
      if (this.stopped) return;
      const status = await finishAttempt(this.store, this.settings, delivery, outcome);
      this.onAttempt?.({
        deliveryId: delivery.ID,
        subscriptionId: delivery.SubscriptionID,
        sequence: Number(delivery.Sequence),
        status,
        error: outcome.error,
      });
    })()
      .catch((error) => this.onError(error as Error))
      .finally(() => {
        this.inFlight.delete(delivery.ID);
        // the record's next change may be due now, and there is room for another attempt
        this.wake();
      });
    this.inFlight.set(delivery.ID, work);
  }

  /** Subscribed to the change feed while there is an active subscription; else not. */
  private watchFeed(active: boolean) {
    if (!active) {
      const subscriber = this.feedSubscriber;
      this.feedSubscriber = undefined;
      subscriber?.end();
      return;
    }
    if (this.feedSubscriber || this.subscribing || this.stopped) return;
    this.subscribing = true;
    let finished!: () => void;
    const connection = {
      destroy: () => finished(),
      finished: new Promise<void>((resolve) => (finished = resolve)),
    };
    this.feed
      .subscribe(deliverer, { repSees: 'all' }, undefined, connection)
      .then(async (subscriber) => {
        this.subscribing = false;
        if (this.stopped) {
          subscriber.end();
          return;
        }
        this.feedSubscriber = subscriber;
        const reader = subscriber.stream.getReader();
        // each chunk is news of entries (the content is read from the journal, per subscription)
        while (!(await reader.read()).done) this.wake();
        finished();
        if (this.feedSubscriber === subscriber) {
          // dropped by the feed: subscribe again at the next cycle
          this.feedSubscriber = undefined;
          this.wake();
        }
      })
      .catch((error) => {
        this.subscribing = false;
        this.onError(error as Error);
      });
  }

  private async pruneNow() {
    const now = this.settings.now();
    if (now - this.lastPrune < 3_600_000) return;
    this.lastPrune = now;
    await pruneDeliveryLog(this.store, now - this.settings.logKeepMs);
  }

  /** Stops: no new attempts; those in flight are cut off (and tried again after their lease). */
  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.aborter.abort();
    this.feedSubscriber?.end();
    this.feedSubscriber = undefined;
    await Promise.allSettled([...this.inFlight.values()]);
    // a cycle still running finishes its statements before the store closes
    await this.running;
  }
}
