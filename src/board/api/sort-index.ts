// Fractional ordering: a moved card gets a SortIndex between its new neighbours, so one write
// reorders it without renumbering the column.
export function sortIndexBetween(
  before: number | null | undefined,
  after: number | null | undefined,
): number {
  const hasBefore = typeof before === 'number';
  const hasAfter = typeof after === 'number';
  if (hasBefore && hasAfter) {
    // Equal neighbours (data written by other clients) leave no room between; stay beside them.
    return before === after ? before : before + (after - before) / 2;
  }
  if (hasBefore) return before + 1;
  if (hasAfter) return after - 1;
  return 1;
}
