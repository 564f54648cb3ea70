// Random inputs for the HTTP fuzz: query strings from our model's vocabulary, the OASIS ABNF
// cases rewritten into our model's names and mutated, and write bodies (JSON values and raw
// texts), each mixed with the inputs that once gave a 5xx.
import fc from 'fast-check';
import { abnfCases } from './abnf-cases.ts';
import { encodeQuery, encodeQueryValue } from './encode-query.ts';

/**
 * Inputs that gave a 5xx before (issue 8) or lie on a limit, as URL text: '%XX' stays an escape
 * (a NUL, an encoded surrogate), the rest is encoded as it is sent.
 */
export const troublesomeQueryTexts = [
  "contains(Subject,'Ren%00ewal')",
  "Subject eq 'a%ED%A0%80'",
  "Subject eq '%F0%9F%98%80'",
  "Subject in ('Milk', true)",
  'Subject in ()',
  'not (Subject in ())',
  "Subject in ('Milk', null)",
  'IsClosed in (true, false, null)',
  "CreationDate in (2026-01-01, 2026-01-01T10:00:00Z, 'x')",
  '5 in (5, 6)',
  'not (null eq null)',
  'not (null gt 5)',
  "substring(Subject,99999999) in ('x')",
  "substring(Subject,1.5,2) eq 'x'",
  "'x' eq null",
  'not (now() eq null)',
  `Subject eq '${'x'.repeat(7990)}'`, // just under the 8,000 characters of a query option
  `Subject eq '${'x'.repeat(9000)}'`, // over them
  `${'('.repeat(150)}IsClosed${')'.repeat(150)}`, // deeper than the parser's 100 levels
  `Probability eq ${'1 add '.repeat(1300)}1`, // 8,000 characters of arithmetic
  `${'IsClosed or '.repeat(660)}IsClosed`,
  `${'not '.repeat(99)}IsClosed`,
  `Subject eq ${"concat('a',".repeat(90)}'b'${')'.repeat(90)}`,
];

/** Tokens of our model and of OData's syntax, for soups of them. */
const filterToken = fc.constantFrom(
  'Subject',
  'Probability',
  'EstimatedAmount',
  'ExpectedOrderDate',
  'IsClosed',
  'Phase/Code',
  'Phase/Probability',
  'Pipeline/Name',
  'ProductLines/$count',
  'Nope',
  'eq',
  'ne',
  'gt',
  'le',
  'and',
  'or',
  'not',
  'add',
  'mul',
  'div',
  'mod',
  'in',
  'has',
  '(',
  ')',
  ',',
  '/',
  "'x'",
  "'O''Neil'",
  "'",
  '0',
  '50',
  '-1',
  '2.5',
  '1e308',
  '99999999999999999999',
  'null',
  'true',
  '2026-01-01',
  '2026-01-01T10:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  '$it',
  '@p',
  'contains(Subject,',
  'startswith(',
  'length(Subject)',
  'year(ExpectedOrderDate)',
  'now()',
  'tolower(',
  'ProductLines/any(l:l/Quantity gt 1)',
  'ProductLines/all(',
  'cast(Probability,Edm.String)',
  'isof(',
  '[1,2]',
  '{',
  '%',
  '%25',
  '%00',
  "'a%00b'",
  "'%ED%A0%80'",
  "'%ED%B0%80x'",
  '%C3',
  '&',
  '#',
  '+',
  'é',
  '😀',
);
const tokenSoup = fc
  .array(filterToken, { minLength: 0, maxLength: 9 })
  .chain((tokens) => fc.constantFrom(tokens.join(' '), tokens.join('')));

// well-typed-ish comparisons and their combinations, so that many requests get through to SQL
const operand = fc.constantFrom(
  'Subject',
  'Probability',
  'EstimatedAmount',
  'WeightedAmount',
  'ExpectedOrderDate',
  'CreationDate',
  'IsClosed',
  'Phase/Code',
  'Phase/Probability',
  'Pipeline/Name',
  'Relationship/Name',
  'length(Subject)',
  'year(ExpectedOrderDate)',
  'Probability add 10',
  'EstimatedAmount div 0',
  'Probability mod 0',
  'EstimatedAmount mul 1e308',
  "concat(Subject,'x')",
  "indexof(Subject,'a')",
  'substring(Subject,99999999)',
  'substring(Subject,Probability,2)',
  'tolower(Subject)',
  'trim(Number)',
  'round(EstimatedAmount)',
  'floor(Probability div 3)',
  'ceiling(-EstimatedAmount)',
  'date(CreationDate)',
  'hour(CreationDate)',
  'second(LastMutationDate)',
  'totaloffsetminutes(CreationDate)',
  'day(ExpectedOrderDate)',
  'now()',
  'maxdatetime()',
  'mindatetime()',
  'ExpectedOrderDate',
  'Number',
  'ID',
  'Phase',
  'Phase/ID',
  '$it/Subject',
  'SalesRepresentative/Organization/Name',
  'ProductLines/$count',
  'ProductLines/$count add 1',
);
const literal = fc.constantFrom(
  "'x'",
  "'O''Neil'",
  "'%00'",
  "'%ED%A0%80'",
  "''",
  '0',
  '50',
  '-1',
  '2.5',
  '1e308',
  '-1e308',
  '9007199254740991',
  'null',
  'true',
  'false',
  '2026-01-01',
  '2026-01-01T10:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  "duration'P1D'",
);
const comparisonOp = fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le');
const comparison = fc.oneof(
  fc.tuple(operand, comparisonOp, literal).map((parts) => parts.join(' ')),
  fc.tuple(operand, comparisonOp, operand).map((parts) => parts.join(' ')),
  fc.tuple(literal, comparisonOp, operand).map((parts) => parts.join(' ')),
);
const lambda = fc
  .tuple(
    fc.constantFrom('any', 'all'),
    fc.constantFrom('Quantity', 'Price', 'Description', 'StartDate', 'Product/Name', 'Activity/Subject'),
    comparisonOp,
    literal,
  )
  .map(([op, property, cmp, value]) => `ProductLines/${op}(l:l/${property} ${cmp} ${value})`);
const inList = fc
  .tuple(operand, fc.array(literal, { maxLength: 4 }))
  .map(([left, items]) => `${left} in (${items.join(',')})`);
const predicate = fc.oneof(
  comparison,
  inList,
  lambda,
  fc
    .tuple(fc.constantFrom('contains', 'startswith', 'endswith'), operand, literal)
    .map(([f, a, b]) => `${f}(${a},${b})`),
  fc.constantFrom('IsClosed', 'not IsClosed', "Phase/Code in ('Lead','Won')", 'ProductLines/any()', 'true'),
);
const { boolean: structuredFilter } = fc.letrec<{ boolean: string }>((tie) => ({
  boolean: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    predicate,
    fc
      .tuple(tie('boolean'), fc.constantFrom('and', 'or'), tie('boolean'))
      .map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie('boolean').map((b) => `not (${b})`),
  ),
}));
const filterText = fc.oneof(
  { weight: 3, arbitrary: structuredFilter },
  { weight: 2, arbitrary: tokenSoup },
  { weight: 1, arbitrary: fc.constantFrom(...troublesomeQueryTexts) },
);

const optionName = fc.constantFrom(
  '$filter',
  '$orderby',
  '$select',
  '$expand',
  '$top',
  '$skip',
  '$count',
  '$search',
  '$format',
  '$apply',
  '$compute',
  '$skiptoken',
  '$levels',
  '@p',
  'custom',
  '$Filter',
  '',
);
const optionValue = fc.oneof(
  filterText,
  fc.constantFrom(
    'Subject',
    'Subject desc,Probability',
    'Phase/Code,ID desc',
    'Phase',
    'Phase($select=Code)',
    "Phase($filter=Code eq 'Lead')",
    'ProductLines($top=1;$orderby=Quantity)',
    'ProductLines($filter=Description eq %27%00%27)',
    '*',
    '5',
    '-1',
    '1000000000000',
    '99999999999999999999',
    'true',
    'json',
    'xml',
    'filter(Probability gt 1)/aggregate($count as N)',
    "filter(Subject eq 'a%00')/aggregate($count as N)",
    'groupby((Phase/Code))',
    'groupby((IsClosed),aggregate($count as N))',
    'groupby((Phase/Code),aggregate(EstimatedAmount with sum as Total))',
    'aggregate(EstimatedAmount mul 1e308 with sum as Total)',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** Query strings in our model's words (already encoded). */
export const modelQueryString = fc.oneof(
  fc
    .array(
      fc.tuple(optionName, optionValue).map(([name, value]) => `${name}=${encodeQueryValue(value)}`),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.join('&')),
  fc
    .tuple(
      structuredFilter,
      fc.constantFrom('', '&$orderby=Probability desc', '&$expand=Phase', '&$count=true', '&$top=2'),
    )
    .map(([filter, more]) => `$filter=${encodeQueryValue(filter)}${encodeQuery(more)}`),
);

/** The OASIS file's model names, each mapped to one of ours of a like kind. */
const OUR_NAMES: Record<string, string> = {
  Name: 'Subject',
  FirstName: 'Subject',
  LastName: 'Subject',
  CompanyName: 'Subject',
  Title: 'Subject',
  Street: 'Subject',
  City: 'Subject',
  Country: 'Subject',
  Price: 'EstimatedAmount',
  Amount: 'EstimatedAmount',
  Tax: 'EstimatedAmount',
  TaxRate: 'Probability',
  Rating: 'Probability',
  ReleaseDate: 'ExpectedOrderDate',
  BirthDate: 'ExpectedOrderDate',
  Available: 'IsClosed',
  Completed: 'IsClosed',
  Products: 'ProductLines',
  Items: 'ProductLines',
  Addresses: 'ProductLines',
  EmailAddresses: 'ProductLines',
  Product: 'Phase',
  Category: 'Phase',
  Customer: 'Relationship',
  Supplier: 'Relationship',
  Manager: 'SalesRepresentative',
  Address: 'Pipeline',
};
const inOurModel = (text: string) => text.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (w) => OUR_NAMES[w] ?? w);

/** A case's text in our names, as it is, cut short, or with a troublesome piece put in. */
const oasisText = fc
  .tuple(
    fc.constantFrom(...abnfCases),
    fc.nat(),
    fc.constantFrom(
      '',
      '%00',
      "'%00'",
      '%ED%A0%80',
      "'",
      '(',
      ')',
      ',',
      ' in ()',
      ' in (true)',
      '/',
      '$',
      '@p',
    ),
    fc.constantFrom('as is', 'cut', 'insert'),
  )
  .map(([c, at, piece, how]) => {
    const text = inOurModel(c.Input);
    const i = at % (text.length + 1);
    const mutated =
      how === 'as is' ? text : how === 'cut' ? text.slice(0, i) : text.slice(0, i) + piece + text.slice(i);
    return c.Rule === 'commonExpr' ? `$filter=${encodeQueryValue(mutated)}` : encodeQuery(mutated);
  });

/** Any query string of the fuzz. */
export const queryString = fc.oneof(modelQueryString, oasisText);

/** Field names of the model mixed with others; values of every JSON kind, some of them right. */
const fieldName = fc.oneof(
  fc.constantFrom(
    'Subject',
    'Probability',
    'EstimatedAmount',
    'ExpectedOrderDate',
    'Currency',
    'IsClosed',
    'Phase',
    'Phase@odata.bind',
    'WeightedAmount',
    'ID',
    'ImportId',
    '_Type',
    'ProductLines',
    '@odata.etag',
    '@odata.type',
    'SortIndex',
    'DiscountPercentage',
  ),
  fc.string({ maxLength: 12 }),
);
/** Text no database can store, text on its length limit, and other awkward strings. */
const awkwardText = fc.constantFrom(
  'Ren\u0000ewal',
  '\u0000',
  'a\ud800',
  '\udc00b',
  '😀',
  'x'.repeat(255),
  'x'.repeat(256),
  ' ',
  "O'Neil",
  '%00',
  '\\',
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  awkwardText,
  fc.constantFrom('2026-12-31', '2026-02-30', 'EUR', 'eur', 50, -1, 101, 1e308, -0, '', null),
  fc.constant({ ID: '00000000-0000-4000-8000-000000000000' }),
  fc.constant(`Datastore_Phase_ActivitySalesOpportunity(${'x'.repeat(36)})`),
);

/** JSON body texts: as JSON.stringify writes a random value, or texts it never writes. */
const nested = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;
export const writeBody = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fieldName, value, { maxKeys: 5 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      nested(64, '[', ']'),
      nested(65, '[', ']'),
      nested(10_000, '{"Subject":', '}'),
      nested(100_000, '[', ']'),
      '{"Subject":"Ren\\u0000ewal"}',
      '{"Subject":"\\ud800"}',
      '{"Subject":"\\udfff\\ud800"}',
      '{"Subject":"a", "Subject":"b"}',
      '{"Subject":',
      '',
      ' ',
      'null',
      '[]',
      '{"__proto__":{"Subject":"x"}}',
      '{"Subject":"\u00e9"}',
    ),
  },
);
