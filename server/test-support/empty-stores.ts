// Empty, migrated databases for a test file (a target to import or sync into), closed and
// dropped after the file.
import { afterAll } from 'vitest';
import { openStore, type Store } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export function withEmptyStores(): () => Promise<Store> {
  const opened: { store: Store; database: TestDatabase }[] = [];
  afterAll(async () => {
    for (const { store, database } of opened.splice(0)) {
      await store.close();
      await database.drop();
    }
  });
  return async () => {
    const database = await createTestDatabase();
    const store = openStore(database.url);
    opened.push({ store, database });
    await migrate(store);
    return store;
  };
}
