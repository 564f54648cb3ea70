// Reference lists several features show (pipelines, phases, reps, sources, lost reasons,
// competitors): small, rarely changing sets, fetched whole and cached for the session.
import { queryOptions } from '@tanstack/react-query';
import {
  type Competitor,
  type Employee,
  type LostReason,
  type Phase,
  type Pipeline,
  type Source,
  sets,
} from './entities';
import { odata } from './odata-client';
import { allOf, byId } from './odata-filter';
import { queryKeys } from './query-keys';

const long = 5 * 60_000;

export type PipelineOption = Pick<Pipeline, 'ID' | 'Name' | 'SortIndex'>;
export type PhaseOption = Pick<
  Phase,
  'ID' | 'Name' | 'Code' | 'Probability' | 'SortIndex' | 'IsWon' | 'IsLost'
>;
export type NamedOption = { ID: string; Name: string; SortIndex?: number | null };

export const pipelinesQuery = () =>
  queryOptions({
    queryKey: queryKeys.pipelines(),
    queryFn: ({ signal }) =>
      odata.listAll<PipelineOption>(
        sets.Pipeline,
        {
          select: ['ID', 'Name', 'SortIndex'],
          filter: { IsActive: true },
          orderBy: [
            ['SortIndex', 'asc'],
            ['Name', 'asc'],
          ],
        },
        signal,
      ),
    staleTime: long,
  });

/** A pipeline's columns: its own phases and the shared ones (Won, Lost have no pipeline). */
export const phasesQuery = (pipelineId: string) =>
  queryOptions({
    queryKey: queryKeys.phases(pipelineId),
    queryFn: ({ signal }) =>
      odata.listAll<PhaseOption>(
        sets.Phase,
        {
          select: ['ID', 'Name', 'Code', 'Probability', 'SortIndex', 'IsWon', 'IsLost'],
          filter: allOf({ or: [byId('Pipeline', pipelineId), { Pipeline: null }] }, { IsActive: true }),
          orderBy: [
            ['SortIndex', 'asc'],
            ['Name', 'asc'],
          ],
        },
        signal,
      ),
    staleTime: long,
  });

const namedList = (set: string) =>
  queryOptions({
    queryKey: queryKeys.lookup(set),
    queryFn: ({ signal }) =>
      odata.listAll<NamedOption>(
        set,
        {
          select: ['ID', 'Name'],
          filter: { IsActive: true },
          orderBy: [
            ['SortIndex', 'asc'],
            ['Name', 'asc'],
          ],
        },
        signal,
      ),
    staleTime: long,
  });

export const sourcesQuery = () => namedList(sets.Source);
export const lostReasonsQuery = () => namedList(sets.LostReason);
export const competitorsQuery = () =>
  queryOptions({
    queryKey: queryKeys.lookup(sets.Competitor),
    queryFn: ({ signal }) =>
      odata.listAll<NamedOption>(
        sets.Competitor,
        { select: ['ID', 'Name'], orderBy: [['Name', 'asc']] },
        signal,
      ),
    staleTime: long,
  });

export type RepOption = Pick<Employee, 'ID' | 'FirstName' | 'LastName'>;

export const salesRepsQuery = () =>
  queryOptions({
    queryKey: queryKeys.lookup(sets.Employee),
    queryFn: ({ signal }) =>
      odata.listAll<RepOption>(
        sets.Employee,
        {
          select: ['ID', 'FirstName', 'LastName'],
          filter: { IsActive: true },
          orderBy: [
            ['FirstName', 'asc'],
            ['LastName', 'asc'],
          ],
        },
        signal,
      ),
    staleTime: long,
  });

export const repName = (rep: Pick<Employee, 'FirstName' | 'LastName'> | null | undefined) =>
  rep ? [rep.FirstName, rep.LastName].filter(Boolean).join(' ') : '';

/** Customers whose name contains the search text, for pickers. */
export const organizationsQuery = (search: string) =>
  queryOptions({
    queryKey: queryKeys.organizations(search),
    queryFn: ({ signal }) =>
      odata
        .list<NamedOption>(
          sets.Organization,
          {
            select: ['ID', 'Name'],
            filter: search ? { Name: { contains: search } } : undefined,
            orderBy: [['Name', 'asc']],
            top: 20,
          },
          signal,
        )
        .then((page) => page.value),
    staleTime: 30_000,
  });

export type { Competitor, LostReason, Source };
