// Fills an empty database: the reference data always, the demo data set unless turned off.
import type { Store } from '../db/database.ts';
import { defaultDemoSize, generateDemoData } from './generate-demo-data.ts';
import { createReferenceData } from './reference-data.ts';

/** Returns whether it filled the database (false: it had data already). */
export async function seedIfEmpty(store: Store, options: { demoData: boolean; size?: number }) {
  const existing = await store.db.selectFrom('pipeline').select('ID').limit(1).executeTakeFirst();
  if (existing) return false;
  await store.transaction(async (tx) => {
    await createReferenceData(tx);
    if (options.demoData) await generateDemoData(tx, { opportunities: options.size ?? defaultDemoSize });
  });
  return true;
}
