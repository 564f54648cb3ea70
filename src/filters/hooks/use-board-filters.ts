import { useMemo } from 'react';
import { useCurrentPerson } from '../../api/session-query';
import { updateSearch, useLocation } from '../../lib/url-state';
import { type BoardFilters, parseFilters, toODataFilter, toSearchChanges } from '../filter-model';

export function useBoardFilters() {
  const { search } = useLocation();
  const key = search.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query string is the identity of the filters
  const filters = useMemo(() => parseFilters(search), [key]);
  /** the signed-in person's employee, whom "my deals" means */
  const me = useCurrentPerson()?.employeeId ?? null;
  const odataFilter = useMemo(() => toODataFilter(filters, me), [filters, me]);
  const setFilters = (next: BoardFilters, options?: { replace?: boolean }) =>
    updateSearch(toSearchChanges(next), options);
  return { filters, odataFilter, setFilters, me };
}
