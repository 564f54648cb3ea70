import { useMemo } from 'react';
import { updateSearch, useLocation } from '../../lib/url-state';
import { type BoardFilters, parseFilters, toODataFilter, toSearchChanges } from '../filter-model';

export function useBoardFilters() {
  const { search } = useLocation();
  const key = search.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query string is the identity of the filters
  const filters = useMemo(() => parseFilters(search), [key]);
  const odataFilter = useMemo(() => toODataFilter(filters), [filters]);
  const setFilters = (next: BoardFilters, options?: { replace?: boolean }) =>
    updateSearch(toSearchChanges(next), options);
  return { filters, odataFilter, setFilters };
}
