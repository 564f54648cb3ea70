import { describe, expect, it } from 'vitest';
import { errorOf, path, withoutPositions } from './ast-test-helpers.ts';
import { NotImplementedError, QuerySyntaxError } from './errors.ts';
import { parseApply } from './parse-apply.ts';

const a = (text: string) => withoutPositions(parseApply(text));

const syntaxError = (text: string) => errorOf(QuerySyntaxError, () => parseApply(text));

describe('parseApply', () => {
  it('parses filter, groupby with a nested aggregate, and aggregate', () => {
    expect(
      a(
        'filter(IsClosed eq false)/groupby((Phase/Code,Currency),aggregate(EstimatedAmount with sum as Total, $count as Count))',
      ),
    ).toEqual([
      {
        kind: 'filter',
        expr: {
          kind: 'binary',
          op: 'eq',
          left: path('IsClosed'),
          right: { kind: 'literal', type: 'boolean', value: false },
        },
      },
      {
        kind: 'groupby',
        paths: [path('Phase', 'Code'), path('Currency')],
        // biome-ignore lint/suspicious/noThenProperty: ApplyStep's field is named 'then' (ast.ts)
        then: [
          {
            kind: 'aggregate',
            items: [
              { kind: 'with', expr: path('EstimatedAmount'), method: 'sum', alias: 'Total' },
              { kind: 'count', alias: 'Count' },
            ],
          },
        ],
      },
    ]);
  });

  it('parses every aggregation method and expressions as the aggregated value', () => {
    expect(
      a(
        'aggregate(Amount with sum as S,Amount with min as Mi,Amount with max as Ma,EstimatedAmount with average as Avg,Currency with countdistinct as C,Amount mul Probability with sum as W)',
      ),
    ).toEqual([
      {
        kind: 'aggregate',
        items: [
          { kind: 'with', expr: path('Amount'), method: 'sum', alias: 'S' },
          { kind: 'with', expr: path('Amount'), method: 'min', alias: 'Mi' },
          { kind: 'with', expr: path('Amount'), method: 'max', alias: 'Ma' },
          { kind: 'with', expr: path('EstimatedAmount'), method: 'average', alias: 'Avg' },
          { kind: 'with', expr: path('Currency'), method: 'countdistinct', alias: 'C' },
          {
            kind: 'with',
            expr: { kind: 'binary', op: 'mul', left: path('Amount'), right: path('Probability') },
            method: 'sum',
            alias: 'W',
          },
        ],
      },
    ]);
  });

  it('parses groupby without a second argument and with a transformation sequence', () => {
    expect(a('groupby((Phase))')).toEqual([{ kind: 'groupby', paths: [path('Phase')] }]);
    expect(a('groupby( ( Phase , Pipeline/Name ) , filter(Amount gt 1)/aggregate($count as N) )')).toEqual([
      {
        kind: 'groupby',
        paths: [path('Phase'), path('Pipeline', 'Name')],
        // biome-ignore lint/suspicious/noThenProperty: ApplyStep's field is named 'then' (ast.ts)
        then: [
          { kind: 'filter', expr: expect.objectContaining({ op: 'gt' }) },
          { kind: 'aggregate', items: [{ kind: 'count', alias: 'N' }] },
        ],
      },
    ]);
  });

  it('records positions', () => {
    expect(parseApply('filter(A)/aggregate(B with sum as T)')).toEqual([
      { kind: 'filter', expr: { kind: 'path', segments: ['A'], pos: 7 }, pos: 0 },
      {
        kind: 'aggregate',
        pos: 10,
        items: [
          {
            kind: 'with',
            expr: { kind: 'path', segments: ['B'], pos: 20 },
            method: 'sum',
            alias: 'T',
            pos: 20,
          },
        ],
      },
    ]);
  });

  it.each([
    'compute(Amount mul 2 as Double)',
    'topcount(5,Amount)',
    'bottomcount(5,Amount)',
    'concat(filter(A),filter(B))',
    'expand(Phase,filter(A))',
    'search(blue)',
    'identity',
    'groupby((rollup(Phase,Pipeline)))',
    'aggregate(Amount)',
    'aggregate(Amount as Total)',
    'aggregate(Amount with Custom.Method as X)',
    'aggregate(Amount with sum as Total from Phase with max)',
    'Model.Custom(1)',
    'groupby((Model.Type/Prop))',
  ])('%s is not implemented', (text) => {
    expect(() => parseApply(text)).toThrow(NotImplementedError);
  });

  it.each([
    [
      '',
      0,
      'Expected a transformation such as filter(...), groupby(...) or aggregate(...), found end of input',
    ],
    [
      'frobnicate(A)',
      0,
      "Expected a transformation such as filter(...), groupby(...) or aggregate(...), found 'frobnicate'",
    ],
    ['filter', 6, "Expected '(' after 'filter', found end of input"],
    ['filter(A eq 1', 13, "Expected ')' to close 'filter(' opened at 6"],
    ['filter(A)/', 10, 'Expected a transformation'],
    ['filter(A)x', 9, "Expected '/' and another transformation, or end of input, found 'x'"],
    ['groupby(Phase)', 8, "Expected '(' and a list of grouping properties"],
    ['groupby((Phase)', 15, "Expected ')' to close 'groupby(' opened at 7, found end of input"],
    ['groupby((Phase,))', 15, "Expected a property name in the grouping list, found ')'"],
    [
      'aggregate(Amount with avg as A)',
      22,
      "Expected an aggregation method (sum, min, max, average or countdistinct), found 'avg'",
    ],
    ['aggregate(Amount with sum)', 25, "Expected ' as <alias>', found ')'"],
    ['aggregate(Amount with sum as)', 28, "Expected whitespace after 'as'"],
    ['aggregate(Amount with sum as 1)', 29, 'Expected an alias name'],
    [
      'aggregate(Amount gt 1 foo)',
      22,
      "Expected 'with <method> as <alias>' after the aggregated expression, found 'foo'",
    ],
    ['aggregate($count)', 16, "Expected ' as <alias>'"],
    ['aggregate(Amount with sum as A', 30, "Expected ')' to close 'aggregate('"],
    [' filter(A)', 0, 'Unexpected whitespace at the start of $apply'],
  ])('%j', (text, position, message) => {
    const e = syntaxError(text);
    expect(e.message).toContain(message);
    expect(e.position).toBe(position);
    expect(e.option).toBe('$apply');
  });

  it('caps nesting', () => {
    const deep = `${'groupby((A),'.repeat(120)}aggregate($count as N)${')'.repeat(120)}`;
    expect(() => parseApply(deep)).toThrow(/nested too deeply/);
  });
});
