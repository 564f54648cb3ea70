// JOURNAL_KEEP_DAYS: entries older than the kept days go, newer ones stay.
import { describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';
import { journalTable, readJournal } from './journal.ts';
import { pruneOldEntries } from './journal-retention.ts';

const service = withTestService({ demoData: false });

describe('keeping the journal', () => {
  it('prunes the entries older than the days kept, and only those', async () => {
    const { store } = service.server;
    await store.db.deleteFrom(journalTable).execute(); // the reference data's entries
    for (const name of ['Old BV', 'New BV']) {
      await service.api('/Relationship_Organization', { method: 'POST', json: { Name: name } });
    }
    const [old] = await readJournal(store, { limit: 1 });
    const now = Date.now();
    await store.db
      .updateTable(journalTable)
      .set({ At: new Date(now - 31 * 24 * 60 * 60_000).toISOString() })
      .where('Sequence', '=', old.sequence)
      .execute();
    expect(await pruneOldEntries(store, 30, now)).toBe(1);
    const left = await readJournal(store);
    expect(left.map((e) => e.changes.Name?.[1])).toEqual(['New BV']);
  });
});
