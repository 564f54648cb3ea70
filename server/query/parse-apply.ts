// Parses `$apply` (OData Data Aggregation Extension, subset): transformations separated by '/':
// filter(<boolExpr>), groupby((Path, ...)[, <transformations>]) and
// aggregate(<expr> with <method> as <Alias>, $count as <Alias>, ...).

import type { AggregateItem, ApplyStep, PathExpr } from './ast.ts';
import { isIdentChar, isWhitespace, Lexer } from './lexer.ts';
import { type AliasResolver, ExpressionParser } from './parse-expression.ts';

type Method = 'sum' | 'min' | 'max' | 'average' | 'countdistinct';
const METHODS = new Set<string>(['sum', 'min', 'max', 'average', 'countdistinct']);

/** Transformations of the Data Aggregation spec that this service recognises but does not implement. */
const NOT_IMPLEMENTED = new Set([
  'compute',
  'concat',
  'expand',
  'search',
  'identity',
  'nest',
  'join',
  'outerjoin',
  'orderby',
  'skip',
  'top',
  'topcount',
  'topsum',
  'toppercent',
  'bottomcount',
  'bottomsum',
  'bottompercent',
  'ancestors',
  'descendants',
  'traverse',
  'addnested',
]);

export function parseApply(text: string, resolveAlias?: AliasResolver): ApplyStep[] {
  const lx = new Lexer(text, '$apply');
  if (isWhitespace(lx.peek())) throw lx.error(0, 'Unexpected whitespace at the start of $apply');
  const parser = new ExpressionParser(lx, resolveAlias);
  const steps = parseSequence(parser);
  if (!lx.atEnd) {
    throw lx.error(
      lx.pos,
      `Expected '/' and another transformation, or end of input, found ${lx.describe()}`,
    );
  }
  return steps;
}

function parseSequence(p: ExpressionParser): ApplyStep[] {
  const steps: ApplyStep[] = [];
  for (;;) {
    steps.push(parseTransformation(p));
    if (p.lx.peek() !== '/') return steps;
    p.lx.pos++;
  }
}

function parseTransformation(p: ExpressionParser): ApplyStep {
  const lx = p.lx;
  const pos = lx.pos;
  const name = lx.readQualifiedName();
  const expected = 'a transformation such as filter(...), groupby(...) or aggregate(...)';
  if (name === undefined) throw lx.error(pos, `Expected ${expected}, found ${lx.describe(pos)}`);
  if (name === 'identity' || (NOT_IMPLEMENTED.has(name) && lx.peek() === '(')) {
    throw lx.notImplemented(`The $apply transformation ${name} is not supported`);
  }
  if (name.includes('.') && lx.peek() === '(') {
    throw lx.notImplemented(`Custom $apply functions are not supported (${name})`);
  }
  if (name !== 'filter' && name !== 'groupby' && name !== 'aggregate') {
    throw lx.error(pos, `Expected ${expected}, found '${name}'`);
  }
  if (lx.peek() !== '(') throw lx.error(lx.pos, `Expected '(' after '${name}', found ${lx.describe()}`);
  const open = lx.pos;
  lx.pos++;
  lx.enter(open);
  lx.skipWs();
  let step: ApplyStep;
  if (name === 'filter') {
    step = { kind: 'filter', expr: p.parseCommonExpr(), pos };
    lx.expectClose(open, `'filter('`, 'an operator');
  } else if (name === 'groupby') {
    step = parseGroupBy(p, open, pos);
  } else {
    const items: AggregateItem[] = [];
    for (;;) {
      items.push(parseAggregateItem(p));
      lx.skipWs();
      if (lx.peek() !== ',') break;
      lx.pos++;
      lx.skipWs();
    }
    lx.expectClose(open, `'aggregate('`, "','");
    step = { kind: 'aggregate', items, pos };
  }
  lx.leave();
  return step;
}

function parseGroupBy(p: ExpressionParser, open: number, pos: number): ApplyStep {
  const lx = p.lx;
  const listOpen = lx.pos;
  if (lx.peek() !== '(') {
    throw lx.error(
      lx.pos,
      `Expected '(' and a list of grouping properties, e.g. groupby((Phase/Code)), found ${lx.describe()}`,
    );
  }
  lx.pos++;
  lx.skipWs();
  const paths: PathExpr[] = [];
  for (;;) {
    paths.push(parseGroupingPath(lx));
    lx.skipWs();
    if (lx.peek() !== ',') break;
    lx.pos++;
    lx.skipWs();
  }
  lx.expectClose(listOpen, 'the grouping list', "','");
  lx.skipWs();
  if (lx.peek() !== ',') {
    lx.expectClose(open, `'groupby('`, "','");
    return { kind: 'groupby', paths, pos };
  }
  lx.pos++;
  lx.skipWs();
  const then = parseSequence(p);
  lx.expectClose(open, `'groupby('`, "'/'");
  return { kind: 'groupby', paths, then, pos };
}

function parseGroupingPath(lx: Lexer): PathExpr {
  const pos = lx.pos;
  if (lx.startsWith('rollup(')) throw lx.notImplemented('rollup in groupby is not supported');
  const segments: string[] = [];
  for (;;) {
    const segPos = lx.pos;
    const name = lx.readQualifiedName();
    if (name === undefined) {
      throw lx.error(segPos, `Expected a property name in the grouping list, found ${lx.describe(segPos)}`);
    }
    if (name.includes('.'))
      throw lx.notImplemented(`Type-cast segments are not supported in groupby (${name})`);
    segments.push(name);
    if (lx.peek() !== '/') return { kind: 'path', segments, pos };
    lx.pos++;
  }
}

/** Consumes required whitespace, the keyword, and returns true; or returns false (cursor unchanged) if absent. */
function keyword(lx: Lexer, word: string): boolean {
  const at = lx.afterWs();
  if (at === lx.pos || !lx.startsWith(word, at) || isIdentChar(lx.text[at + word.length])) return false;
  lx.pos = at + word.length;
  return true;
}

function expectAlias(lx: Lexer): string {
  if (!keyword(lx, 'as'))
    throw lx.error(lx.afterWs(), `Expected ' as <alias>', found ${lx.describe(lx.afterWs())}`);
  if (lx.afterWs() === lx.pos)
    throw lx.error(lx.pos, `Expected whitespace after 'as', found ${lx.describe()}`);
  lx.pos = lx.afterWs();
  const alias = lx.expectIdentifier('an alias name after "as"');
  if (keyword(lx, 'from')) throw lx.notImplemented("'from' in aggregate is not supported");
  return alias;
}

function parseAggregateItem(p: ExpressionParser): AggregateItem {
  const lx = p.lx;
  const pos = lx.pos;
  if (lx.startsWith('$count') && !isIdentChar(lx.text[pos + 6])) {
    lx.pos += 6;
    return { kind: 'count', alias: expectAlias(lx), pos };
  }
  const expr = p.parseCommonExpr();
  if (!keyword(lx, 'with')) {
    const next = lx.text[lx.afterWs()];
    if (expr.kind === 'path' && (next === ',' || next === ')' || next === undefined || keyword(lx, 'as'))) {
      throw lx.notImplemented('Custom aggregates are not supported; write e.g. Amount with sum as Total');
    }
    throw lx.error(
      lx.afterWs(),
      `Expected 'with <method> as <alias>' after the aggregated expression, found ${lx.describe(lx.afterWs())}`,
    );
  }
  if (lx.afterWs() === lx.pos)
    throw lx.error(lx.pos, `Expected whitespace after 'with', found ${lx.describe()}`);
  lx.pos = lx.afterWs();
  const methodPos = lx.pos;
  const method = lx.readQualifiedName();
  if (method?.includes('.'))
    throw lx.notImplemented(`Custom aggregation methods are not supported (${method})`);
  if (method === undefined || !METHODS.has(method)) {
    throw lx.error(
      methodPos,
      `Expected an aggregation method (sum, min, max, average or countdistinct), found ${method === undefined ? lx.describe(methodPos) : `'${method}'`}`,
    );
  }
  return { kind: 'with', expr, method: method as Method, alias: expectAlias(lx), pos };
}
