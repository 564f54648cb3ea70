// Slows down password guessing per account: five failed sign-ins in a row are free, then each
// further try must wait, twice as long each time (30 s, 1 min, 2 min ... at most 15 min), and
// gets 429 with Retry-After until then. Kept in the database, so every instance counts alike;
// unknown emails are counted the same way, so the answer never tells whether an account exists.
import type { Store } from '../db/database.ts';
import { ODataError } from '../query/errors.ts';
import { normalizeEmail } from './people.ts';

const freeFailures = 5;
const firstWaitMs = 30_000;
const longestWaitMs = 15 * 60_000;
/** failures further apart than this start the count anew */
const forgetAfterMs = 60 * 60_000;

interface ThrottleRow {
  Failures: number | string;
  LastFailureAt: number | string;
  BlockedUntil: number | string;
}

const rowOf = (store: Store, email: string) =>
  store.db
    .selectFrom('sign_in_throttle')
    .select(['Failures', 'LastFailureAt', 'BlockedUntil'])
    .where('Email', '=', normalizeEmail(email))
    .executeTakeFirst() as Promise<ThrottleRow | undefined>;

export const tooManyAttempts = (waitMs: number) => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const error = new ODataError(
    429,
    'TooManyAttempts',
    `Too many failed sign-ins for this account: try again in ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}`,
  );
  error.headers['Retry-After'] = String(seconds);
  return error;
};

/** Throws 429 while the account must wait. */
export async function checkSignInAllowed(store: Store, email: string, now = Date.now()) {
  const row = await rowOf(store, email);
  if (row && Number(row.BlockedUntil) > now) throw tooManyAttempts(Number(row.BlockedUntil) - now);
}

export async function recordFailedSignIn(store: Store, email: string, now = Date.now()) {
  await store.transaction(async (tx) => {
    const row = await rowOf(tx, email);
    const recent = row && now - Number(row.LastFailureAt) < forgetAfterMs;
    const failures = (recent ? Number(row.Failures) : 0) + 1;
    const wait =
      failures < freeFailures ? 0 : Math.min(longestWaitMs, firstWaitMs * 2 ** (failures - freeFailures));
    const values = { Failures: failures, LastFailureAt: now, BlockedUntil: now + wait };
    await tx.db
      .insertInto('sign_in_throttle')
      .values({ Email: normalizeEmail(email), ...values })
      .onConflict((oc) => oc.column('Email').doUpdateSet(values))
      .execute();
    // old entries go, so guesses at made-up addresses do not pile up
    await tx.db
      .deleteFrom('sign_in_throttle')
      .where('LastFailureAt', '<', now - forgetAfterMs)
      .execute();
  });
}

export async function clearFailedSignIns(store: Store, email: string) {
  await store.db.deleteFrom('sign_in_throttle').where('Email', '=', normalizeEmail(email)).execute();
}
