// Where a bar leads: the board, on the bar's pipeline, with the forecast's filters plus the
// bar's own (phase, rep, month, currency) and only open deals, which the forecast counts.
import { type BoardFilters, toSearchChanges } from '../../filters/filter-model';

export interface BoardLink {
  pipelineId: string;
  filters: Partial<BoardFilters>;
}

const later = (a?: string, b?: string) => (!a ? b : !b ? a : a > b ? a : b);
const earlier = (a?: string, b?: string) => (!a ? b : !b ? a : a < b ? a : b);

export function boardHref(link: BoardLink, current: BoardFilters): string {
  const filters: BoardFilters = {
    ...current,
    ...link.filters,
    status: 'open',
    // A month inside an already narrowed date window: the intersection of both.
    expectedFrom: later(current.expectedFrom, link.filters.expectedFrom),
    expectedBefore: earlier(current.expectedBefore, link.filters.expectedBefore),
  };
  const params = new URLSearchParams({ pipeline: link.pipelineId });
  for (const [key, value] of Object.entries(toSearchChanges(filters))) if (value) params.set(key, value);
  return `/?${params}`;
}
