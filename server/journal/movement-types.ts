// Forecast movement as GET /v1/movement answers it (movement.ts): the one definition the
// dashboard imports too (src/forecast/api/movement-query.ts).

export type Bucket = 'new' | 'won' | 'lost' | 'up' | 'down' | 'pulledIn' | 'slipped' | 'other';

/** One deal that moved the pipeline: its weighted amount then and now (null: not counted). */
export interface DealMovement {
  ID: string;
  Subject: string;
  Currency: string;
  Bucket: Bucket;
  Then: number | null;
  Now: number | null;
  /** still there (false: deleted since) */
  Exists: boolean;
  Rep: string | null;
  Phase: { Then: string | null; Now: string | null };
  ExpectedOrderDate: { Then: string | null; Now: string | null };
}

export interface PhaseConversion {
  Phase: string;
  /** deals that entered the phase since the date */
  Entered: number;
  /** of those, how many later reached a phase further on (won included) */
  Advanced: number;
  Won: number;
  Lost: number;
  /** still in it now */
  Staying: number;
  /** days spent in the phase by the deals that left it: median and 90th percentile */
  MedianDays: number | null;
  P90Days: number | null;
}

export interface Movement {
  since: string;
  now: string;
  period: { from: string; to: string };
  /** the weighted open pipeline of the period, per currency */
  totals: { Currency: string; Then: number; Now: number }[];
  deals: DealMovement[];
  conversion: PhaseConversion[];
  /** open deals of the pipeline without any change for staleDays, per rep (null: unassigned) */
  stale: { Rep: string | null; Count: number }[];
}
