// How long the change journal keeps its entries (JOURNAL_KEEP_DAYS): pruned at start and then
// once a day by each instance (the delete is the same whichever runs it). Delta links and
// streams that reach back further than what is kept get 410 or a reset and start over.
import type { Store } from '../db/database.ts';
import { pruneJournal } from './journal.ts';

const day = 24 * 60 * 60_000;

export async function pruneOldEntries(store: Store, keepDays: number, now = Date.now()) {
  return pruneJournal(store, new Date(now - keepDays * day).toISOString());
}

/** Prunes now and every day after; the returned function stops it. */
export function keepJournalFor(store: Store, keepDays: number, onError: (error: Error) => void) {
  const prune = () => pruneOldEntries(store, keepDays).catch(onError);
  void prune();
  const timer = setInterval(prune, day);
  timer.unref();
  return () => clearInterval(timer);
}
