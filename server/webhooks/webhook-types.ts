// Subscriptions and deliveries as /v1/webhooks shows them: the one definition the dashboard
// imports too (src/webhooks/api/).
import type { ChangeKind } from '../journal/change-kind.ts';

export interface DeliverySummary {
  id: string;
  sequence: number;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  responseStatus: number | null;
  error: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A subscription as the API shows it (never its secret). */
export interface SubscriptionView {
  id: string;
  url: string;
  /** entity sets whose changes are sent; null: every set */
  sets: string[] | null;
  kinds: ChangeKind[];
  active: boolean;
  description: string;
  createdAt: string;
  createdBy: string;
  /** the most recently attempted delivery, or null before the first attempt */
  lastDelivery: DeliverySummary | null;
  /** deliveries waiting to be (re)tried, and those that finally failed */
  pending: number;
  failed: number;
}

/** One entry of a subscription's delivery log. */
export interface DeliveryView extends DeliverySummary {
  set: string;
  recordId: string;
  kind: ChangeKind;
  createdAt: string;
  /** when it is tried next (pending only) */
  nextAttemptAt: string | null;
  finishedAt: string | null;
}
