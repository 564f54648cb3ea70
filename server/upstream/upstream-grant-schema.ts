// The tables of per-person upstream sign-in (migration 10): each person's grant at the upstream
// (their access token, its expiry, and the refresh token that renews it; sealed when
// UPSTREAM_TOKEN_KEY is set), and the connect flows under way (PKCE verifier, by state hash).
// Times are epoch milliseconds, as in the people tables.
import type { Store } from '../db/database.ts';

export const upstreamGrantTable = 'upstream_grant';
export const upstreamConnectFlowTable = 'upstream_connect_flow';

export async function createUpstreamGrantTables(store: Store) {
  const { schema } = store.db;
  const millis = 'bigint';
  await schema
    .createTable(upstreamGrantTable)
    .addColumn('PersonID', 'text', (c) => c.primaryKey().references('person.ID').onDelete('cascade'))
    .addColumn('AccessToken', 'text', (c) => c.notNull())
    .addColumn('RefreshToken', 'text')
    .addColumn('Scope', 'text')
    .addColumn('ExpiresAt', millis)
    .addColumn('RenewAt', millis)
    // an instance renewing the tokens now claims the row until then: refresh tokens are spent
    // on use (Hydra ends the whole grant when one is used twice), so only one instance may
    .addColumn('RefreshingUntil', millis)
    .addColumn('ConnectedAt', millis, (c) => c.notNull())
    .addColumn('UpdatedAt', millis, (c) => c.notNull())
    .execute();
  await schema
    .createTable(upstreamConnectFlowTable)
    .addColumn('StateHash', 'text', (c) => c.primaryKey())
    .addColumn('PersonID', 'text', (c) => c.notNull().references('person.ID').onDelete('cascade'))
    .addColumn('CodeVerifier', 'text', (c) => c.notNull())
    .addColumn('ExpiresAt', millis, (c) => c.notNull())
    .execute();
}
