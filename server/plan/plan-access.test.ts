import { describe, expect, it } from 'vitest';
import { entitySets } from '../model/model.ts';
import { parseQueryOptions } from '../query/parse-query-options.ts';
import { conjuncts, isSearchable, orderedRange } from './plan-access.ts';
import { planRead } from './plan-read.ts';

const opportunities = entitySets.get('Activity_SalesOpportunity')!;
const planOf = (query: string) => planRead(opportunities, parseQueryOptions(query));
const termsOf = (query: string) => conjuncts(planOf(query).filter!);
const searchable = (query: string) => termsOf(query).map((term) => isSearchable(term, 'activity'));

/** The columns of the equality conditions that lead an index in the page's order. */
function rangeColumns(query: string) {
  const plan = planOf(query);
  const terms = conjuncts(plan.filter!).filter((t) => isSearchable(t, 'activity'));
  return orderedRange(plan, terms)?.terms.map((t) => {
    if (t.kind !== 'compare') throw new Error('an equality');
    const column = t.left.kind === 'column' ? t.left : t.right;
    return column.kind === 'column' ? [...column.path.map((p) => p.name), column.column].join('/') : '?';
  });
}

describe('the conditions a page must pass', () => {
  it('are the parts of a top-level and, however nested', () => {
    expect(termsOf('$filter=IsClosed eq false and (Probability gt 50 and Amount lt 3)')).toHaveLength(3);
    expect(termsOf('$filter=IsClosed eq false or Probability gt 50')).toHaveLength(1);
  });

  it('can be searched in an index when they compare an indexed column (or a link) with a value', () => {
    expect(searchable("$filter=IsClosed eq false and Probability gt 50 and Subject eq 'x'")).toEqual([
      true,
      true,
      false, // Subject has a substring index, not a B-tree
    ]);
    expect(
      searchable("$filter=Phase/Code eq 'Won' and Pipeline/ID eq 3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ).toEqual([true, true]);
    expect(searchable('$filter=Probability ne 50 and Probability gt EstimatedAmount')).toEqual([
      false,
      false,
    ]);
    expect(searchable("$filter=contains(Subject,'cloud') and contains(RelationDescription,'acme')")).toEqual([
      true,
      false,
    ]);
    expect(searchable("$filter=Probability in (10, 20) and Phase/Pipeline/Name eq 'x'")).toEqual([
      true,
      true,
    ]);
  });
});

describe('an index range in the order of the page', () => {
  it('is the key itself, or an equality that leads an index ending in the key', () => {
    expect(rangeColumns('$filter=Probability gt 50')).toEqual([]);
    expect(rangeColumns('$filter=IsClosed eq false and Probability gt 50')).toEqual(['IsClosed']);
  });

  it("is the board's index for a column of one phase of one pipeline in SortIndex order", () => {
    const board =
      '$filter=Pipeline/ID eq 3fa85f64-5717-4562-b3fc-2c963f66afa6 and Phase/ID eq 3fa85f64-5717-4562-b3fc-2c963f66afa7';
    expect(rangeColumns(`${board}&$orderby=SortIndex,ID`)).toEqual(['Pipeline/ID', 'Phase/ID']);
    expect(rangeColumns(`${board}&$orderby=SortIndex`)).toEqual(['Pipeline/ID', 'Phase/ID']);
    const plan = planOf(`${board}&$orderby=SortIndex`);
    expect(orderedRange(plan, conjuncts(plan.filter!))?.index).toBe('activity_board_column');
  });

  it('is missing when no index ends in the order', () => {
    expect(rangeColumns('$filter=IsClosed eq false&$orderby=Subject')).toBeUndefined();
    expect(rangeColumns('$filter=IsClosed eq false&$orderby=ExpectedOrderDate')).toEqual([]);
  });
});
