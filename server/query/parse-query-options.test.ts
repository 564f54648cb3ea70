import { describe, expect, it } from 'vitest';
import { errorOf, path, withoutPositions } from './ast-test-helpers.ts';
import { NotImplementedError, ODataError, QuerySyntaxError } from './errors.ts';
import { parseQueryOptions } from './parse-query-options.ts';

const q = (raw: string) => withoutPositions(parseQueryOptions(raw));

const failure = (raw: string) => errorOf(ODataError, () => parseQueryOptions(raw));

describe('splitting and decoding', () => {
  it('returns nothing for an empty query', () => {
    expect(parseQueryOptions('')).toEqual({});
    expect(parseQueryOptions('&&')).toEqual({});
  });

  it('decodes percent-escapes but keeps + as +', () => {
    expect(q('$filter=CreationDate%20gt%202026-01-01T00:00:00+01:00')).toEqual({
      filter: {
        kind: 'binary',
        op: 'gt',
        left: path('CreationDate'),
        right: { kind: 'literal', type: 'datetime', value: '2025-12-31T23:00:00.000Z' },
      },
    });
    expect(q("$filter=Subject eq 'a+b'")).toMatchObject({ filter: { right: { value: 'a+b' } } });
    expect(q('%24top=5')).toEqual({ top: 5 });
  });

  it('keeps = inside values', () => {
    expect(q("$filter=Subject eq 'a=b'")).toMatchObject({ filter: { right: { value: 'a=b' } } });
  });

  it('reports malformed percent-escapes', () => {
    const e = failure('$filter=Subject%2');
    expect(e).toBeInstanceOf(QuerySyntaxError);
    expect(e.message).toContain('Malformed percent-encoding');
    expect((e as QuerySyntaxError).position).toBe(7);
    expect(failure('$filter=%E0%A4%A')).toBeInstanceOf(QuerySyntaxError);
    expect(failure('$filter=A eq %C3%28')).toMatchObject({ position: 5 });
    expect(failure('%ZZ=1')).toBeInstanceOf(QuerySyntaxError);
  });

  it('names an encoded lone surrogate (CESU-8), which no text value may hold', () => {
    const e = failure("$filter=Subject eq 'a%ED%A0%80'");
    expect(e).toMatchObject({ status: 400, target: '$filter', position: 13 });
    expect(e.message).toBe(
      'Malformed percent-encoding: %ED%A0%80 encodes a lone UTF-16 surrogate, which is not a Unicode character ($filter, position 13)',
    );
    expect(failure("$filter=Subject eq '%ed%bf%bf'").message).toContain('%ed%bf%bf encodes a lone');
    // a pair written as two CESU-8 halves is not UTF-8 either
    expect(failure("$filter=Subject eq '%ED%A0%BD%ED%B8%80'").message).toContain('%ED%A0%BD encodes');
  });

  it('refuses a NUL in a string literal, and lets it pass nowhere else unnoticed', () => {
    expect(failure("$filter=contains(Subject,'Ren%00ewal')")).toMatchObject({
      status: 400,
      code: 'InvalidValue',
      target: '$filter',
      message:
        'The string literal starting at 17 contains a NUL character (U+0000), which text values cannot contain ($filter, position 21)',
    });
    expect(failure("$filter=Subject in ('a', 'b%00')").code).toBe('InvalidValue');
    expect(failure("$filter=Subject eq @p&@p='%00'").code).toBe('InvalidValue');
    expect(failure('$filter=Subject%00eq 1')).toBeInstanceOf(QuerySyntaxError);
  });

  it('ignores custom options and $-less 4.01 names', () => {
    expect(parseQueryOptions('access_token=abc&filter=whatever&!special&find=O%27Neil')).toEqual({});
  });

  it('caps the length of the query string and of each option', () => {
    expect(failure(`x=${'a'.repeat(40_000)}`).status).toBe(400);
    expect(failure(`$filter=A eq '${'a'.repeat(8000)}'`).message).toContain('too long');
  });
});

describe('system query options', () => {
  it('parses the documented combinations', () => {
    expect(q("$filter=contains(Subject, 'Acme')&$top=10")).toEqual({
      filter: {
        kind: 'call',
        name: 'contains',
        args: [path('Subject'), { kind: 'literal', type: 'string', value: 'Acme' }],
      },
      top: 10,
    });
  });

  it('parses $top, $skip, $count, $search, $skiptoken, $format', () => {
    expect(q('$top=0&$skip=20&$count=true&$search=blue%20green&$skiptoken=abc==&$format=json')).toEqual({
      top: 0,
      skip: 20,
      count: true,
      search: 'blue green',
      skiptoken: 'abc==',
      format: 'json',
    });
    expect(q('$count=false')).toEqual({ count: false });
  });

  it.each([
    ['$top=-1', '$top', "Expected a non-negative integer for $top, found '-1'"],
    ['$top=abc', '$top', 'non-negative integer'],
    ['$skip=1.5', '$skip', 'Expected a non-negative integer for $skip'],
    ['$top=99999999999999999999', '$top', 'non-negative integer'],
    ['$count=TRUE', '$count', 'Expected true or false for $count'],
    ['$count=1', '$count', 'Expected true or false'],
  ])('rejects %s', (raw, option, message) => {
    const e = failure(raw);
    expect(e).toBeInstanceOf(QuerySyntaxError);
    expect(e.target).toBe(option);
    expect(e.message).toContain(message);
  });

  it('parses $orderby', () => {
    expect(q('$orderby=Name desc,Amount,CreationDate asc')).toEqual({
      orderby: [
        { expr: path('Name'), direction: 'desc' },
        { expr: path('Amount'), direction: 'asc' },
        { expr: path('CreationDate'), direction: 'asc' },
      ],
    });
    expect(q('$orderby=Name%09asc, Phase/Code')).toMatchObject({
      orderby: [{ direction: 'asc' }, { expr: path('Phase', 'Code') }],
    });
    expect(q('$orderby=Amount mul Probability desc')).toMatchObject({
      orderby: [{ expr: { kind: 'binary', op: 'mul' }, direction: 'desc' }],
    });
    expect(q('$orderby=ProductLines/$count')).toMatchObject({
      orderby: [{ expr: path('ProductLines', '$count') }],
    });
  });

  it('reports $orderby errors', () => {
    expect(failure('$orderby=Name DESC').message).toContain(
      "Unknown sort direction 'DESC': use lower-case 'desc'",
    );
    expect(failure('$orderby=Name up').message).toContain(
      "Expected an operator, 'asc', 'desc', ',' or end of input, found 'up' ($orderby, position 5)",
    );
    expect(failure('$orderby=Name,').message).toContain('Expected an expression, found end of input');
  });

  it('parses $select', () => {
    expect(q('$select=Subject,Phase/Code,*')).toEqual({
      select: [
        { kind: 'path', segments: ['Subject'] },
        { kind: 'path', segments: ['Phase', 'Code'] },
        { kind: 'star' },
      ],
    });
    expect(parseQueryOptions('$select=A, B').select).toEqual([
      { kind: 'path', segments: ['A'], pos: 0 },
      { kind: 'path', segments: ['B'], pos: 3 },
    ]);
  });

  it('reports $select errors', () => {
    expect(failure('$select=A,,B').message).toContain(
      "Expected a property name or '*', found ',' ($select, position 2)",
    );
    expect(failure('$select=A/').message).toContain("Expected a property name after '/'");
    expect(failure('$select=A B').message).toContain("Expected ',' or end of input, found 'B'");
    expect(failure('$select=Model.Type/Name')).toBeInstanceOf(NotImplementedError);
    expect(failure('$select=Address($select=Street)')).toBeInstanceOf(NotImplementedError);
  });

  it('rejects empty values and spaces around =', () => {
    for (const raw of ['$filter=', '$orderby=', '$select=', '$expand=', '$top=', '$apply=', '$search=']) {
      const e = failure(raw);
      expect(e, raw).toBeInstanceOf(QuerySyntaxError);
      expect(e.message).toContain('Empty value');
    }
    expect(failure('$filter =true').message).toContain(
      "Unexpected whitespace in the query option name '$filter '",
    );
    expect(failure('$filter%20=true')).toBeInstanceOf(QuerySyntaxError);
    expect(failure('$filter= true').message).toContain('Unexpected whitespace at the start of $filter');
    expect(failure('$count')).toMatchObject({
      message: expect.stringContaining("Expected '=' and a value after $count"),
    });
  });

  it('rejects unknown, duplicate and misplaced options', () => {
    expect(failure('$foo=1')).toMatchObject({
      status: 400,
      message: 'Unknown system query option $foo',
      target: '$foo',
    });
    expect(failure('$OrderBy=Name').message).toContain('did you mean $orderby?');
    expect(failure('$top=1&$top=2')).toMatchObject({
      status: 400,
      message: expect.stringContaining('Duplicate'),
    });
    expect(failure('$levels=2').message).toContain('only allowed inside $expand');
  });

  it('keeps $id, the member a collection $ref delete removes, as written', () => {
    expect(parseQueryOptions('$id=Activity_SalesOpportunity(3fa85f64-5717-4562-b3fc-2c963f66afa6)').id).toBe(
      'Activity_SalesOpportunity(3fa85f64-5717-4562-b3fc-2c963f66afa6)',
    );
  });

  it.each(['$compute=A as B', '$index=4', '$schemaversion=1', '$deltatoken=x'])(
    '%s is not implemented',
    (raw) => {
      expect(failure(raw)).toBeInstanceOf(NotImplementedError);
      expect(failure(raw).status).toBe(501);
    },
  );

  it('checks $index syntax before refusing it', () => {
    expect(failure('$index=fortytwo')).toBeInstanceOf(QuerySyntaxError);
  });

  it('rejects raw # and, in $search, raw ;', () => {
    expect(failure('$search=#1')).toBeInstanceOf(QuerySyntaxError);
    expect(failure('$search=a;b')).toMatchObject({ position: 1 });
    expect(parseQueryOptions('$search=a%3Bb').search).toBe('a;b');
    expect(parseQueryOptions('$search=%231').search).toBe('#1');
  });
});

describe('parameter aliases', () => {
  it('substitutes aliases defined before or after their use', () => {
    const r = parseQueryOptions('$filter=Probability gt @p&@p=5');
    expect(withoutPositions(r.filter)).toEqual({
      kind: 'binary',
      op: 'gt',
      left: path('Probability'),
      right: { kind: 'literal', type: 'int', value: 5 },
    });
    expect(withoutPositions(r.aliases)).toEqual({ '@p': { kind: 'literal', type: 'int', value: 5 } });
    expect(q("@w='Black'&$filter=contains(Title,@w)")).toMatchObject({
      filter: { args: [path('Title'), { value: 'Black' }] },
    });
  });

  it('substitutes aliases in $orderby, $expand and $apply, and aliases in aliases', () => {
    expect(q('$orderby=@o desc&@o=Amount')).toMatchObject({
      orderby: [{ expr: path('Amount'), direction: 'desc' }],
    });
    expect(q('$expand=ProductLines($filter=Price gt @min)&@min=@base add 1&@base=10')).toMatchObject({
      expand: [{ options: { filter: { right: { kind: 'binary', op: 'add', left: { value: 10 } } } } }],
    });
    expect(q('$apply=filter(Amount gt @a)&@a=3')).toMatchObject({
      apply: [{ kind: 'filter', expr: { right: { value: 3 } } }],
    });
  });

  it('parses unused aliases and reports their errors', () => {
    expect(q('@x=1')).toEqual({ aliases: { '@x': { kind: 'literal', type: 'int', value: 1 } } });
    expect(failure('@x=1 eq').target).toBe('@x');
  });

  it.each([
    ['$filter=A eq @p', 'Parameter alias @p is not defined (define it with &@p=...) ($filter, position 5)'],
    ['$filter=A eq @a&@a=@b&@b=@a', 'refers to itself'],
    ['$filter=A eq @p&@p=1&@p=2', 'Duplicate parameter alias @p'],
    ['@1=5', "Invalid parameter alias name '@1'"],
  ])('%s', (raw, message) => {
    expect(failure(raw).message).toContain(message);
    expect(failure(raw).status).toBe(400);
  });
});

describe('$expand', () => {
  it('parses the documented forms', () => {
    expect(q('$expand=Relationship,Contact,ProductLines,Phase,Pipeline')).toEqual({
      expand: ['Relationship', 'Contact', 'ProductLines', 'Phase', 'Pipeline'].map((n) => ({
        path: [n],
        ref: false,
        options: {},
      })),
    });
    expect(q('$expand=ProductLines($select=Description;$expand=Product)')).toEqual({
      expand: [
        {
          path: ['ProductLines'],
          ref: false,
          options: {
            select: [{ kind: 'path', segments: ['Description'] }],
            expand: [{ path: ['Product'], ref: false, options: {} }],
          },
        },
      ],
    });
    expect(q('$expand=SalesRepresentative($select=Name)')).toEqual({
      expand: [
        {
          path: ['SalesRepresentative'],
          ref: false,
          options: { select: [{ kind: 'path', segments: ['Name'] }] },
        },
      ],
    });
  });

  it('parses every nested option', () => {
    const r = q(
      "$expand=ProductLines($filter=Price gt 5 and Currency eq 'EUR';$orderby=Price desc,Description;$select=Price,Description;$top=3;$skip=1;$count=true;$levels=max;$search=blue (green);$expand=Product($levels=2))",
    );
    expect(r).toEqual({
      expand: [
        {
          path: ['ProductLines'],
          ref: false,
          options: {
            filter: expect.objectContaining({ kind: 'binary', op: 'and' }),
            orderby: [
              { expr: path('Price'), direction: 'desc' },
              { expr: path('Description'), direction: 'asc' },
            ],
            select: [
              { kind: 'path', segments: ['Price'] },
              { kind: 'path', segments: ['Description'] },
            ],
            top: 3,
            skip: 1,
            count: true,
            levels: 'max',
            search: 'blue (green)',
            expand: [{ path: ['Product'], ref: false, options: { levels: 2 } }],
          },
        },
      ],
    });
  });

  it('accepts 4.01 $-less nested option names and optional spaces', () => {
    expect(q('$expand=Items(expand=Product; select=Name )')).toEqual({
      expand: [
        {
          path: ['Items'],
          ref: false,
          options: {
            expand: [{ path: ['Product'], ref: false, options: {} }],
            select: [{ kind: 'path', segments: ['Name'] }],
          },
        },
      ],
    });
  });

  it('parses $ref, *, and multi-segment paths', () => {
    expect(q('$expand=Phase/$ref,*,*/$ref,*($levels=2),Phase/Pipeline,ProductLines/$ref($top=2)')).toEqual({
      expand: [
        { path: ['Phase'], ref: true, options: {} },
        { path: ['*'], ref: false, options: {} },
        { path: ['*'], ref: true, options: {} },
        { path: ['*'], ref: false, options: { levels: 2 } },
        { path: ['Phase', 'Pipeline'], ref: false, options: {} },
        { path: ['ProductLines'], ref: true, options: { top: 2 } },
      ],
    });
  });

  it('reports positions within the $expand value', () => {
    expect(failure('$expand=ProductLines($filter=Price gt)')).toMatchObject({
      option: '$expand',
      position: 29,
      message: expect.stringContaining("Expected whitespace after the operator 'gt', found ')'"),
    });
    expect(failure('$expand=ProductLines($select=Price').message).toContain(
      "Expected ',', ';' or ')', found end of input ($expand, position 26)",
    );
    expect(failure('$expand=ProductLines($filter=Price gt 5').message).toContain(
      "Expected ';' or ')' to close '(' opened at 12, found end of input",
    );
    expect(failure('$expand=ProductLines($filter=Price gt 5 foo)').message).toContain(
      "Expected an operator, ';' or ')' to close '(' opened at 12, found 'foo'",
    );
  });

  it.each([
    ['$expand=Customer/$ref($levels=4)', '$levels is not allowed after $ref', 14],
    ['$expand=Customer/$ref($select=Name)', '$select is not allowed after $ref', 14],
    ['$expand=Items/$count($count=true)', '$count is not allowed after $count', 13],
    ['$expand=*($select=Name)', "$select is not allowed after '*'", 2],
    [
      '$expand=Category($levels=04)',
      "Expected a positive integer without leading zeros, or 'max', for $levels, found '04'",
      17,
    ],
    ['$expand=Items($top=-1)', "Expected a non-negative integer for $top, found '-1'", 11],
    ['$expand=Items($count=yes)', 'Expected true or false', 13],
    ['$expand=Items($top=1;$top=2)', 'Duplicate $top', 13],
    ['$expand=Items($frobnicate=1)', "Unknown query option '$frobnicate' in $expand", 6],
    [
      '$expand=Items()',
      "Expected a query option such as $select or $filter after '(' opened at 5, found ')'",
      6,
    ],
    ['$expand=Items($top =1)', "Expected '=' after $top, found whitespace", 10],
    ['$expand=Items($filter= A)', "Unexpected whitespace after '$filter='", 14],
    [
      '$expand=Manager($search=gr(een)',
      "Expected ';' or ')' to close '(' opened at 7, found end of input",
      23,
    ],
    ['$expand=Items($search=)', 'Empty value for $search', 14],
    ['$expand=,Items', "Expected a navigation property or '*', found ','", 0],
    ['$expand=Items/', "Expected a navigation property, '*', $ref or $count after '/'", 6],
    ['$expand=$foo', "Expected a navigation property name, found '$foo'", 0],
  ])('%s', (raw, message, position) => {
    const e = failure(raw);
    expect(e).toBeInstanceOf(QuerySyntaxError);
    expect(e.message).toContain(message);
    expect((e as QuerySyntaxError).position).toBe(position);
  });

  it.each([
    '$expand=Items/$count',
    '$expand=Items($compute=A as B)',
    '$expand=Items(@c=1)',
    '$expand=$value',
    '$expand=@Core.Messages',
    '$expand=Model.Vip/Orders',
  ])('%s is not implemented', (raw) => {
    expect(failure(raw)).toBeInstanceOf(NotImplementedError);
  });

  it('caps $expand nesting depth', () => {
    const deep = `$expand=${'A($expand='.repeat(120)}B${')'.repeat(120)}`;
    expect(failure(deep).message).toContain('nested too deeply');
  });

  it('keeps a quoted or balanced nested $search', () => {
    expect(parseQueryOptions("$expand=Manager($search='gr(een')").expand?.[0].options.search).toBe(
      "'gr(een'",
    );
    expect(parseQueryOptions('$expand=Manager($search=(green))').expand?.[0].options.search).toBe('(green)');
  });
});
