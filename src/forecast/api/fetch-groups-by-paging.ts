// The forecast's groups without $apply (the hosted CRM has none): every matching opportunity
// listed with only the fields the sums need, page by page along @odata.nextLink, then grouped
// here exactly as the service's groupby would.

import { type AmountRow, groupRows } from '../../api/amount-group';
import { sets } from '../../api/entities';
import { odata } from '../../api/odata-client';
import { allOf, byId } from '../../api/odata-filter';
import type { ForecastGroups } from './forecast-groups';
import type { ForecastScope } from './forecast-scope';

type Link = { ID: string } | null | undefined;

interface OpenRow extends AmountRow {
  ExpectedOrderDate: string | null;
  Pipeline?: Link;
  Phase?: Link;
  SalesRepresentative?: Link;
}

interface ClosedRow extends AmountRow {
  Phase?: Link;
}

const amounts = ['ID', 'Currency', 'EstimatedAmount', 'WeightedAmount'];
const idOnly = { select: ['ID'] };

export async function fetchGroupsByPaging(
  scope: ForecastScope,
  signal?: AbortSignal,
): Promise<ForecastGroups> {
  const [open, closed] = await Promise.all([
    // Every pipeline's open deals: the per-pipeline chart compares them.
    odata.listAll<OpenRow>(
      sets.SalesOpportunity,
      {
        select: [...amounts, 'ExpectedOrderDate'] as (keyof OpenRow)[],
        expand: { Pipeline: idOnly, Phase: idOnly, SalesRepresentative: idOnly },
        filter: allOf(scope.filter, { IsClosed: false }),
      },
      signal,
    ),
    odata.listAll<ClosedRow>(
      sets.SalesOpportunity,
      {
        select: amounts as (keyof ClosedRow)[],
        expand: { Phase: idOnly },
        filter: allOf(byId('Pipeline', scope.pipelineId), scope.filter, { IsClosed: true }),
      },
      signal,
    ),
  ]);
  const here = open.filter((row) => row.Pipeline?.ID === scope.pipelineId);
  return {
    byPipeline: groupRows(open, (row) => row.Pipeline?.ID ?? null),
    byPhase: groupRows(here, (row) => row.Phase?.ID ?? null),
    byDay: groupRows(here, (row) => row.ExpectedOrderDate ?? null),
    byRep: groupRows(here, (row) => row.SalesRepresentative?.ID ?? null),
    closedByPhase: groupRows(closed, (row) => row.Phase?.ID ?? null),
  };
}
