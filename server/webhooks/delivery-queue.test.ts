// Which journal entries a subscription wants: its kinds, and its sets with their derived types.
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../journal/journal.ts';
import { bodyOf, wants } from './delivery-queue.ts';

const entry: JournalEntry = {
  sequence: 7,
  at: '2026-12-01T10:00:00.000Z',
  actor: { id: 'p-1', name: 'Ada' },
  set: 'Activity_SalesOpportunity',
  type: 'Activity.SalesOpportunity',
  id: 'deal-1',
  kind: 'updated',
  changes: { Subject: ['Old', 'New'] },
};

const subscription = (sets: string[] | null, kinds = ['created', 'updated', 'deleted']) => ({
  Sets: sets === null ? null : JSON.stringify(sets),
  Kinds: JSON.stringify(kinds),
});

describe('what a subscription wants', () => {
  it('takes every set, the sets named, and the sets of base types', () => {
    expect(wants(subscription(null), entry)).toBe(true);
    expect(wants(subscription(['Activity_SalesOpportunity']), entry)).toBe(true);
    // a deal is an Activity too
    expect(wants(subscription(['Activity']), entry)).toBe(true);
    expect(wants(subscription(['Pipeline', 'Relationship_Organization']), entry)).toBe(false);
  });

  it('takes only the kinds named', () => {
    expect(wants(subscription(null, ['created', 'deleted']), entry)).toBe(false);
    expect(wants(subscription(null, ['updated']), entry)).toBe(true);
  });

  it('sends the entry as the change stream has it', () => {
    expect(JSON.parse(bodyOf(entry))).toEqual(entry);
  });
});
