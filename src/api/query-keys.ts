// Query keys per entity set and query. Board keys nest under the pipeline so one
// invalidation refreshes every column and the column sums together.
import type { ODataFilter } from './odata-filter';

export const queryKeys = {
  all: ['odata'] as const,
  pipelines: () => [...queryKeys.all, 'Pipeline'] as const,
  phases: (pipelineId: string) => [...queryKeys.all, 'Phase', pipelineId] as const,
  lookup: (set: string) => [...queryKeys.all, 'lookup', set] as const,
  organizations: (search: string) => [...queryKeys.all, 'Relationship_Organization', search] as const,
  board: (pipelineId: string) => [...queryKeys.all, 'board', pipelineId] as const,
  column: (pipelineId: string, phaseId: string, filter: ODataFilter) =>
    [...queryKeys.board(pipelineId), 'column', phaseId, filter] as const,
  columnTotals: (pipelineId: string, filter: ODataFilter) =>
    [...queryKeys.board(pipelineId), 'totals', filter] as const,
  /** what the service at this address supports, read once from its $metadata */
  capabilities: (baseUrl: string) => [...queryKeys.all, '$metadata', baseUrl] as const,
  forecast: (pipelineId: string, filter: ODataFilter, viaApply: boolean) =>
    [...queryKeys.all, 'forecast', pipelineId, filter, viaApply] as const,
  opportunity: (id: string) => [...queryKeys.all, 'Activity_SalesOpportunity', id] as const,
  /** under the opportunity's key: whatever refreshes the opportunity (a save, a move) refreshes it too */
  opportunityHistory: (id: string) => [...queryKeys.opportunity(id), 'History'] as const,
  /** every record of a reference set, inactive ones too, to name the links a history mentions */
  historyNames: (set: string) => [...queryKeys.all, 'history-names', set] as const,
};

/** Dealdeck's own sign-in service (/auth): apart from the OData data, which a sign-out drops. */
export const authKeys = {
  all: ['auth'] as const,
  session: () => [...authKeys.all, 'session'] as const,
  options: () => [...authKeys.all, 'options'] as const,
  tokens: () => [...authKeys.all, 'tokens'] as const,
  people: () => [...authKeys.all, 'people'] as const,
};
