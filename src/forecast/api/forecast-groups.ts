// What the forecast is computed from, whichever way the sums were fetched.
import type { AmountGroup } from '../../api/amount-group';

export interface ForecastGroups {
  /** open opportunities of every pipeline, per pipeline */
  byPipeline: AmountGroup[];
  /** open opportunities of the pipeline on screen, per phase */
  byPhase: AmountGroup[];
  /** open opportunities of the pipeline, per expected order day (`YYYY-MM-DD`) */
  byDay: AmountGroup[];
  /** open opportunities of the pipeline, per sales rep */
  byRep: AmountGroup[];
  /** closed opportunities of the pipeline, per (won or lost) phase */
  closedByPhase: AmountGroup[];
}
