import type { ODataFilter } from '../../api/odata-filter';

/** What the forecast covers: one pipeline (the board's), narrowed by the shared filters. */
export interface ForecastScope {
  pipelineId: string;
  /** the board's filters as OData, without the open/closed status (the forecast splits on it) */
  filter: ODataFilter;
}
