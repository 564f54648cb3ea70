// The names behind the links a history mentions (phases, pipelines, reps, sources, lost reasons,
// competitors). Inactive records too: a deal's past names phases and reps no longer in use.
// Each list is fetched only when a loaded entry links to its set.
import { queryOptions, useQueries } from '@tanstack/react-query';
import { sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { queryKeys } from '../../api/query-keys';
import type { Change } from './history-query';

export interface HistoryName {
  ID: string;
  Name: string;
  IsWon?: boolean;
  IsLost?: boolean;
}

type EmployeeName = { ID: string; FirstName: string | null; LastName: string | null };

/** The opportunity's links, by navigation name, and the set each points into. */
const setOfLink: Record<string, string> = {
  Phase: sets.Phase,
  Pipeline: sets.Pipeline,
  SalesRepresentative: sets.Employee,
  Source: sets.Source,
  LostReason: sets.LostReason,
  LostToCompetitor: sets.Competitor,
};

export async function fetchHistoryNames(set: string, signal?: AbortSignal): Promise<HistoryName[]> {
  if (set === sets.Employee) {
    const people = await odata.listAll<EmployeeName>(
      set,
      { select: ['ID', 'FirstName', 'LastName'] },
      signal,
    );
    return people.map((p) => ({ ID: p.ID, Name: [p.FirstName, p.LastName].filter(Boolean).join(' ') }));
  }
  const select = set === sets.Phase ? ['ID', 'Name', 'IsWon', 'IsLost'] : ['ID', 'Name'];
  return odata.listAll<HistoryName>(set, { select: select as (keyof HistoryName)[] }, signal);
}

export const historyNamesQuery = (set: string) =>
  queryOptions({
    queryKey: queryKeys.historyNames(set),
    queryFn: ({ signal }) => fetchHistoryNames(set, signal),
    staleTime: 5 * 60_000,
  });

/** The sets the entries link into. */
export function linkedSets(changes: readonly Change[]): string[] {
  const found = new Set<string>();
  for (const change of changes) {
    for (const { Property } of change.Changes) if (setOfLink[Property]) found.add(setOfLink[Property]);
  }
  return [...found].sort();
}

/** Names by record ID (GUIDs: one map for every set); `pending` while a needed list loads. */
export function useHistoryNames(changes: readonly Change[]) {
  return useQueries({
    queries: linkedSets(changes).map(historyNamesQuery),
    combine: (results) => ({
      names: new Map(results.flatMap((r) => r.data ?? []).map((n) => [n.ID, n])),
      pending: results.some((r) => r.isPending),
    }),
  });
}
