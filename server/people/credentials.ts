// What a person signs in with after their password: session cookies, personal access tokens
// and one-time sign-in links. Each is a random secret of which only the hash is stored.
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/database.ts';
import { ODataError } from '../query/errors.ts';
import { findPerson, findPersonByCredential, type Person } from './people.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface SessionLimits {
  /** a session unused this long ends */
  idleMs: number;
  /** and every session ends this long after sign-in, used or not */
  absoluteMs: number;
}

/** Writes of last-seen and last-used times are spared on most requests: at most one a minute. */
const touchEveryMs = 60_000;

export async function startSession(store: Store, personId: string, now = Date.now()) {
  const secret = newSecret();
  await store.db
    .insertInto('person_session')
    .values({ TokenHash: hashSecret(secret), PersonID: personId, CreatedAt: now, LastSeenAt: now })
    .execute();
  return secret;
}

/** The person of a live session, or undefined when it is unknown, timed out or the person inactive. */
export async function personOfSession(
  store: Store,
  secret: string,
  limits: SessionLimits,
  now = Date.now(),
): Promise<Person | undefined> {
  const tokenHash = hashSecret(secret);
  const found = await findPersonByCredential(store, 'person_session', tokenHash, ['CreatedAt', 'LastSeenAt']);
  if (!found) return undefined;
  const lastSeen = Number(found.credential.LastSeenAt);
  if (now - lastSeen > limits.idleMs || now - Number(found.credential.CreatedAt) > limits.absoluteMs) {
    await endSession(store, secret);
    return undefined;
  }
  if (!found.person.active) return undefined;
  if (now - lastSeen > touchEveryMs) {
    await store.db
      .updateTable('person_session')
      .set({ LastSeenAt: now })
      .where('TokenHash', '=', tokenHash)
      .execute();
  }
  return found.person;
}

export async function endSession(store: Store, secret: string) {
  await store.db.deleteFrom('person_session').where('TokenHash', '=', hashSecret(secret)).execute();
}

/** Every session of the person but the one kept (a password change ends the others). */
export async function endOtherSessions(store: Store, personId: string, keep: string | undefined) {
  let sessions = store.db.deleteFrom('person_session').where('PersonID', '=', personId);
  if (keep) sessions = sessions.where('TokenHash', '!=', hashSecret(keep));
  await sessions.execute();
}

/** Sessions past either limit: removed now and then, so the table holds only live ones. */
export async function pruneSessions(store: Store, limits: SessionLimits, now = Date.now()) {
  await store.db
    .deleteFrom('person_session')
    .where((eb) =>
      eb.or([eb('LastSeenAt', '<', now - limits.idleMs), eb('CreatedAt', '<', now - limits.absoluteMs)]),
    )
    .execute();
}

// Personal access tokens: `ddk_` and 43 random characters, so secret scanners can spot them.
const tokenPrefix = 'ddk_';

export interface AccessToken {
  id: string;
  name: string;
  /** the first characters, to tell tokens apart; never enough to use one */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface TokenRow {
  ID: string;
  Name: string;
  Prefix: string;
  CreatedAt: number | string;
  LastUsedAt: number | string | null;
}

const toToken = (row: TokenRow): AccessToken => ({
  id: row.ID,
  name: row.Name,
  prefix: row.Prefix,
  createdAt: new Date(Number(row.CreatedAt)).toISOString(),
  lastUsedAt: row.LastUsedAt === null ? null : new Date(Number(row.LastUsedAt)).toISOString(),
});

export async function createAccessToken(store: Store, personId: string, name: unknown, now = Date.now()) {
  const label = typeof name === 'string' ? name.trim() : '';
  if (!label || label.length > 100) {
    throw new ODataError(
      400,
      'InvalidName',
      'Give the token a name of 1 to 100 characters, e.g. "Excel report"',
      'name',
    );
  }
  const token = newSecret(tokenPrefix);
  const row = {
    ID: randomUUID(),
    PersonID: personId,
    Name: label,
    TokenHash: hashSecret(token),
    Prefix: token.slice(0, tokenPrefix.length + 6),
    CreatedAt: now,
  };
  await store.db.insertInto('person_token').values(row).execute();
  return { ...toToken({ ...row, LastUsedAt: null }), token };
}

export async function listAccessTokens(store: Store, personId: string): Promise<AccessToken[]> {
  const rows = (await store.db
    .selectFrom('person_token')
    .select(['ID', 'Name', 'Prefix', 'CreatedAt', 'LastUsedAt'])
    .where('PersonID', '=', personId)
    .where('RevokedAt', 'is', null)
    .orderBy('CreatedAt', 'desc')
    .execute()) as TokenRow[];
  return rows.map(toToken);
}

export async function revokeAccessToken(store: Store, personId: string, id: string, now = Date.now()) {
  const result = await store.db
    .updateTable('person_token')
    .set({ RevokedAt: now })
    .where('ID', '=', id)
    .where('PersonID', '=', personId)
    .where('RevokedAt', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0)
    throw new ODataError(404, 'NotFound', `You have no token with ID ${id}`);
}

export const looksLikeAccessToken = (secret: string) => secret.startsWith(tokenPrefix);

export async function personOfAccessToken(store: Store, secret: string, now = Date.now()) {
  const tokenHash = hashSecret(secret);
  const found = await findPersonByCredential(store, 'person_token', tokenHash, ['LastUsedAt', 'RevokedAt']);
  if (!found || found.credential.RevokedAt !== null || !found.person.active) return undefined;
  const lastUsed = found.credential.LastUsedAt;
  if (lastUsed === null || now - Number(lastUsed) > touchEveryMs) {
    await store.db
      .updateTable('person_token')
      .set({ LastUsedAt: now })
      .where('TokenHash', '=', tokenHash)
      .execute();
  }
  return found.person;
}

// One-time sign-in links: an invitation (days) or the demo manager's first sign-in (minutes).
export type LinkPurpose = 'invite' | 'demo';

export async function createSignInLink(
  store: Store,
  personId: string,
  purpose: LinkPurpose,
  validMs: number,
  now = Date.now(),
) {
  const secret = newSecret();
  await store.db
    .insertInto('sign_in_link')
    .values({ TokenHash: hashSecret(secret), PersonID: personId, Purpose: purpose, ExpiresAt: now + validMs })
    .execute();
  return secret;
}

/** The link's person, and the link used up: a second use, or a late one, signs no one in. */
export async function useSignInLink(
  store: Store,
  secret: string,
  now = Date.now(),
): Promise<{ person: Person; purpose: LinkPurpose } | undefined> {
  return store.transaction(async (tx) => {
    const tokenHash = hashSecret(secret);
    const link = (await tx.db
      .selectFrom('sign_in_link')
      .select(['PersonID', 'ExpiresAt', 'Purpose'])
      .where('TokenHash', '=', tokenHash)
      .executeTakeFirst()) as
      | { PersonID: string; ExpiresAt: number | string; Purpose: LinkPurpose }
      | undefined;
    if (!link) return undefined;
    const deleted = await tx.db
      .deleteFrom('sign_in_link')
      .where('TokenHash', '=', tokenHash)
      .executeTakeFirst();
    // two instances taking the same link at once: only the one that deleted it goes on
    if (Number(deleted.numDeletedRows) === 0 || Number(link.ExpiresAt) < now) return undefined;
    const found = await findPerson(tx, { id: link.PersonID });
    return found?.person.active ? { person: found.person, purpose: link.Purpose } : undefined;
  });
}
