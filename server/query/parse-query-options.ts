// Parses the raw query string of a request into `QueryOptions`: splits on '&', decodes each name and
// value with decodeURIComponent ('+' stays '+'), resolves parameter aliases, and parses each system
// query option. $select, $orderby and $expand (with nested options) are parsed here.

import type { ExpandItem, ExpandOptions, Expr, OrderByItem, QueryOptions, SelectItem } from './ast.ts';
import { badRequest, NotImplementedError, QuerySyntaxError } from './errors.ts';
import { isWhitespace, Lexer, MAX_INPUT_LENGTH } from './lexer.ts';
import { parseApply } from './parse-apply.ts';
import { type AliasResolver, ExpressionParser, parseExpression } from './parse-expression.ts';

const MAX_QUERY_LENGTH = 4 * MAX_INPUT_LENGTH;
const MAX_ALIAS_NESTING = 10;

const SYSTEM_OPTIONS = new Set([
  '$filter',
  '$orderby',
  '$select',
  '$expand',
  '$top',
  '$skip',
  '$count',
  '$search',
  '$apply',
  '$skiptoken',
  '$format',
  '$id',
]);
const NOT_IMPLEMENTED_OPTIONS = new Set(['$compute', '$index', '$schemaversion', '$deltatoken']);
const ALL_OPTION_NAMES = [...SYSTEM_OPTIONS, ...NOT_IMPLEMENTED_OPTIONS, '$levels'];

type NestedOption =
  | '$filter'
  | '$select'
  | '$expand'
  | '$orderby'
  | '$top'
  | '$skip'
  | '$count'
  | '$levels'
  | '$search';
const NESTED_OPTIONS = new Set<string>([
  '$filter',
  '$select',
  '$expand',
  '$orderby',
  '$top',
  '$skip',
  '$count',
  '$levels',
  '$search',
]);
/** Options allowed after `Nav/$ref`, `Nav/$count` and `*` (OData ABNF expandRefOption, expandCountOption). */
const ALLOWED_AFTER: Record<'$ref' | '$count' | '*', Set<string>> = {
  $ref: new Set(['$filter', '$search', '$orderby', '$skip', '$top', '$count']),
  $count: new Set(['$filter', '$search']),
  '*': new Set(['$levels']),
};

/** Decodes one percent-encoded part; a malformed escape is a syntax error at its (raw) position. */
function decodePart(raw: string, option: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    let pos = 0;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] !== '%') continue;
      if (!/^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
        pos = i;
        break;
      }
      let end = i;
      while (raw[end] === '%') end += 3;
      try {
        decodeURIComponent(raw.slice(i, end));
      } catch {
        pos = i;
        break;
      }
      i = end - 1;
    }
    // CESU-8 (UTF-8 applied to UTF-16 code units) writes a surrogate as %ED%A0%80 to %ED%BF%BF:
    // refused like a lone surrogate in a JSON body (storable-text.ts says why)
    const surrogate = /^%ED%[AB][0-9A-F]%[89AB][0-9A-F]/i.exec(raw.slice(pos))?.[0];
    throw new QuerySyntaxError(
      option,
      pos,
      surrogate
        ? `Malformed percent-encoding: ${surrogate} encodes a lone UTF-16 surrogate, which is not a Unicode character`
        : 'Malformed percent-encoding (expected % followed by two hex digits of valid UTF-8)',
    );
  }
}

/** Rejects a raw (not percent-encoded) character in a value; the position reported is in the decoded value. */
function rejectRaw(rawValue: string, char: string, option: string, why: string): void {
  const i = rawValue.indexOf(char);
  if (i >= 0) {
    throw new QuerySyntaxError(
      option,
      decodeURIComponent(rawValue.slice(0, i)).length,
      `Unencoded '${char}' in ${option}: ${why}`,
    );
  }
}

function unknownOption(name: string): Error {
  const known = ALL_OPTION_NAMES.find((o) => o.toLowerCase() === name.toLowerCase());
  const hint = known ? ` (system query option names are case-sensitive: did you mean ${known}?)` : '';
  return badRequest(`Unknown system query option ${name}${hint}`, name);
}

export function parseQueryOptions(rawQuery: string): QueryOptions {
  if (rawQuery.length > MAX_QUERY_LENGTH) {
    throw badRequest(
      `The query string is too long (${rawQuery.length} characters; the limit is ${MAX_QUERY_LENGTH})`,
    );
  }
  const system = new Map<string, { value: string; raw: string }>();
  const aliasTexts = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = decodePart(rawName, rawName);
    const trimmed = name.trim();
    if (!trimmed.startsWith('$') && !trimmed.startsWith('@')) continue; // custom query option: ignored
    if (trimmed !== name) {
      throw new QuerySyntaxError(
        trimmed,
        0,
        `Unexpected whitespace in the query option name '${name}' (no spaces are allowed around '=')`,
      );
    }
    if (eq < 0) throw new QuerySyntaxError(name, 0, `Expected '=' and a value after ${name}`);
    const raw = part.slice(eq + 1);
    const value = decodePart(raw, name);
    rejectRaw(raw, '#', name, 'it starts the URL fragment; encode it as %23');
    if (name.startsWith('@')) {
      const alias = name.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(alias)) {
        throw new QuerySyntaxError(
          name,
          0,
          `Invalid parameter alias name '${name}' (expected @ followed by an identifier)`,
        );
      }
      if (aliasTexts.has(alias))
        throw badRequest(`Duplicate parameter alias ${name}: it may be defined only once`, name);
      aliasTexts.set(alias, value);
      continue;
    }
    if (NOT_IMPLEMENTED_OPTIONS.has(name)) {
      if (name === '$index' && !/^-?[0-9]{1,15}$/.test(value)) {
        throw new QuerySyntaxError(name, 0, `Expected an integer for $index, found '${value}'`);
      }
      throw new NotImplementedError(`The system query option ${name} is not supported`, name);
    }
    if (name === '$levels')
      throw badRequest('$levels is only allowed inside $expand, e.g. $expand=Phase($levels=2)', name);
    if (!SYSTEM_OPTIONS.has(name)) throw unknownOption(name);
    if (system.has(name))
      throw badRequest(`Duplicate system query option ${name}: it may appear only once`, name);
    if (value === '') throw new QuerySyntaxError(name, 0, `Empty value for ${name}`);
    if (isWhitespace(value[0])) {
      throw new QuerySyntaxError(
        name,
        0,
        `Unexpected whitespace at the start of ${name} (no spaces are allowed around '=')`,
      );
    }
    system.set(name, { value, raw });
  }

  const aliases = new Map<string, Expr>();
  const resolving: string[] = [];
  const resolve: AliasResolver = (name, pos, lx) => {
    const known = aliases.get(name);
    if (known) return known;
    const text = aliasTexts.get(name);
    if (text === undefined)
      throw lx.error(pos, `Parameter alias @${name} is not defined (define it with &@${name}=...)`);
    if (resolving.includes(name)) throw lx.error(pos, `Parameter alias @${name} refers to itself`);
    if (resolving.length >= MAX_ALIAS_NESTING) throw lx.error(pos, 'Parameter aliases nested too deeply');
    resolving.push(name);
    const expr = parseExpression(text, `@${name}`, resolve);
    resolving.pop();
    aliases.set(name, expr);
    return expr;
  };

  const result: QueryOptions = {};
  for (const [name, { value, raw }] of system) {
    switch (name) {
      case '$filter':
        result.filter = parseExpression(value, name, resolve);
        break;
      case '$orderby':
        result.orderby = parseWhole(value, name, resolve, (p) => parseOrderBy(p, false));
        break;
      case '$select':
        result.select = parseWhole(value, name, resolve, (p) => parseSelect(p.lx, false));
        break;
      case '$expand':
        result.expand = parseWhole(value, name, resolve, (p) => parseExpand(p, false));
        break;
      case '$top':
      case '$skip':
        result[name === '$top' ? 'top' : 'skip'] = parseNonNegativeInteger(value, name, 0);
        break;
      case '$count':
        result.count = parseBoolean(value, name, 0);
        break;
      case '$search':
        rejectRaw(raw, ';', name, 'encode it as %3B');
        result.search = value;
        break;
      case '$apply':
        result.apply = parseApply(value, resolve);
        break;
      case '$skiptoken':
        result.skiptoken = value;
        break;
      case '$id':
        result.id = value;
        break;
      case '$format':
        result.format = value;
        break;
    }
  }
  for (const name of aliasTexts.keys()) {
    if (!aliases.has(name)) resolve(name, 0, new Lexer('', `@${name}`));
  }
  if (aliases.size > 0) result.aliases = Object.fromEntries([...aliases].map(([k, v]) => [`@${k}`, v]));
  return result;
}

function parseWhole<T>(
  text: string,
  option: string,
  resolve: AliasResolver,
  parse: (p: ExpressionParser) => T,
): T {
  const parser = new ExpressionParser(new Lexer(text, option), resolve);
  const result = parse(parser);
  if (!parser.lx.atEnd) throw listEndError(parser.lx, false, '');
  return result;
}

/** Error for what follows a list item when neither ',' nor the end of the list came. */
function listEndError(lx: Lexer, nested: boolean, extra: string): QuerySyntaxError {
  const expected = nested ? `${extra}',', ';' or ')'` : `${extra}',' or end of input`;
  const q = lx.afterWs();
  if (!nested && q >= lx.text.length)
    return lx.error(lx.pos, `Unexpected whitespace at the end of ${lx.option}`);
  return lx.error(q, `Expected ${expected}, found ${lx.describe(q)}`);
}

/** After a list item: consumes ',' (with optional spaces) and returns true, or returns false at the list's end. */
function nextItem(lx: Lexer, nested: boolean, extra: string): boolean {
  const q = lx.afterWs();
  const c = lx.text[q];
  if (c === ',') {
    lx.pos = lx.afterWs(q + 1);
    return true;
  }
  if (nested ? c === ';' || c === ')' : q === lx.text.length && q === lx.pos) return false;
  throw listEndError(lx, nested, extra);
}

export function parseOrderBy(p: ExpressionParser, nested: boolean): OrderByItem[] {
  const lx = p.lx;
  const items: OrderByItem[] = [];
  for (;;) {
    const expr = p.parseCommonExpr();
    let direction: 'asc' | 'desc' = 'asc';
    if (isWhitespace(lx.peek())) {
      const save = lx.pos;
      lx.pos = lx.afterWs();
      const wordPos = lx.pos;
      const word = lx.readIdentifier();
      if (word === 'asc' || word === 'desc') {
        direction = word;
      } else {
        if (word?.toLowerCase() === 'asc' || word?.toLowerCase() === 'desc') {
          throw lx.error(wordPos, `Unknown sort direction '${word}': use lower-case '${word.toLowerCase()}'`);
        }
        lx.pos = save;
      }
    }
    items.push({ expr, direction });
    if (!nextItem(lx, nested, "an operator, 'asc', 'desc', ")) return items;
  }
}

export function parseSelect(lx: Lexer, nested: boolean): SelectItem[] {
  const items: SelectItem[] = [];
  for (;;) {
    const pos = lx.pos;
    if (lx.peek() === '*') {
      lx.pos++;
      items.push({ kind: 'star', pos });
    } else {
      const segments: string[] = [];
      for (;;) {
        const segPos = lx.pos;
        const c = lx.peek();
        if (c === '@') throw lx.notImplemented('Annotations in $select are not supported');
        if (c === '*' && segments.length > 0)
          throw lx.notImplemented(`'*' after a path in $select is not supported`);
        const name = lx.readQualifiedName();
        if (name === undefined) {
          const what = segments.length > 0 ? "a property name after '/'" : "a property name or '*'";
          throw lx.error(segPos, `Expected ${what}, found ${lx.describe(segPos)}`);
        }
        if (name.includes('.') || (lx.peek() === '.' && lx.peek(1) === '*')) {
          throw lx.notImplemented(`Type casts and operations in $select are not supported (${name})`);
        }
        segments.push(name);
        if (lx.peek() === '(')
          throw lx.notImplemented(
            `Nested options and function signatures in $select are not supported (${name}(...))`,
          );
        if (lx.peek() !== '/') break;
        lx.pos++;
      }
      items.push({ kind: 'path', segments, pos });
    }
    if (!nextItem(lx, nested, '')) return items;
  }
}

export function parseExpand(p: ExpressionParser, nested: boolean): ExpandItem[] {
  const lx = p.lx;
  const items: ExpandItem[] = [];
  for (;;) {
    const pos = lx.pos;
    const path: string[] = [];
    let suffix: '$ref' | '$count' | undefined;
    for (;;) {
      const segPos = lx.pos;
      const c = lx.peek();
      if (c === '*') {
        lx.pos++;
        path.push('*');
        if (lx.startsWith('/$ref')) {
          lx.pos += 5;
          suffix = '$ref';
        }
        break;
      }
      if (c === '$') {
        lx.pos++;
        const id = lx.readIdentifier();
        if (path.length > 0 && (id === 'ref' || id === 'count')) {
          suffix = `$${id}`;
          break;
        }
        if (id === 'value') throw lx.notImplemented('Expanding stream properties ($value) is not supported');
        throw lx.error(segPos, `Expected a navigation property name, found '$${id ?? ''}'`);
      }
      if (c === '@') throw lx.notImplemented('Expanding annotations is not supported');
      const name = lx.readQualifiedName();
      if (name === undefined) {
        const what =
          path.length > 0
            ? "a navigation property, '*', $ref or $count after '/'"
            : "a navigation property or '*'";
        throw lx.error(segPos, `Expected ${what}, found ${lx.describe(segPos)}`);
      }
      if (name.includes('.'))
        throw lx.notImplemented(`Type-cast segments in $expand are not supported (${name})`);
      path.push(name);
      if (lx.peek() !== '/') break;
      lx.pos++;
    }
    const options: ExpandOptions = {};
    if (lx.peek() === '(') {
      const open = lx.pos;
      lx.pos++;
      lx.enter(open);
      const kind = path[path.length - 1] === '*' ? '*' : suffix;
      parseExpandOptions(p, options, open, kind);
      lx.leave();
    }
    if (suffix === '$count')
      throw lx.notImplemented(`$count in $expand is not supported (${path.join('/')}/$count)`);
    items.push({ path, ref: suffix === '$ref', options, pos });
    if (!nextItem(lx, nested, '')) return items;
  }
}

function parseExpandOptions(
  p: ExpressionParser,
  options: ExpandOptions,
  open: number,
  kind?: '$ref' | '$count' | '*',
) {
  const lx = p.lx;
  const seen = new Set<string>();
  lx.skipWs();
  for (;;) {
    const namePos = lx.pos;
    if (lx.peek() === '@')
      throw lx.notImplemented(
        'Parameter aliases inside $expand are not supported; define them at the top level',
      );
    const hasDollar = lx.peek() === '$';
    if (hasDollar) lx.pos++;
    const id = lx.readIdentifier();
    if (id === undefined) {
      throw lx.error(
        namePos,
        `Expected a query option such as $select or $filter after '(' opened at ${open}, found ${lx.describe(namePos)}`,
      );
    }
    const name = `$${id}`;
    if (!NESTED_OPTIONS.has(name)) {
      if (name === '$compute' || name === '$apply')
        throw lx.notImplemented(`${name} inside $expand is not supported`);
      throw lx.error(
        namePos,
        `Unknown query option '${hasDollar ? '$' : ''}${id}' in $expand (expected one of ${[...NESTED_OPTIONS].join(', ')})`,
      );
    }
    if (kind && !ALLOWED_AFTER[kind].has(name)) {
      const after = kind === '*' ? "'*'" : kind;
      throw lx.error(
        namePos,
        `${name} is not allowed after ${after} (allowed: ${[...ALLOWED_AFTER[kind]].join(', ')})`,
      );
    }
    if (seen.has(name)) throw lx.error(namePos, `Duplicate ${name} inside the '(' opened at ${open}`);
    seen.add(name);
    lx.expectChar('=', `after ${name}`);
    if (isWhitespace(lx.peek())) throw lx.error(lx.pos, `Unexpected whitespace after '${name}='`);
    const isExpression = name === '$filter' || name === '$orderby';
    parseExpandOption(p, options, name as NestedOption);
    lx.skipWs();
    if (lx.peek() === ';') {
      lx.pos++;
      lx.skipWs();
      continue;
    }
    if (lx.peek() === ')') {
      lx.pos++;
      return;
    }
    const expected = isExpression && !lx.atEnd ? "an operator, ';' or ')'" : "';' or ')'";
    throw lx.error(lx.pos, `Expected ${expected} to close '(' opened at ${open}, found ${lx.describe()}`);
  }
}

function parseExpandOption(p: ExpressionParser, options: ExpandOptions, name: NestedOption): void {
  const lx = p.lx;
  switch (name) {
    case '$filter':
      options.filter = p.parseCommonExpr();
      return;
    case '$orderby':
      options.orderby = parseOrderBy(p, true);
      return;
    case '$select':
      options.select = parseSelect(lx, true);
      return;
    case '$expand':
      options.expand = parseExpand(p, true);
      return;
    case '$search':
      options.search = readNestedSearch(lx);
      return;
  }
  const pos = lx.pos;
  while (!lx.atEnd && !';) \t'.includes(lx.text[lx.pos])) lx.pos++;
  const value = lx.text.slice(pos, lx.pos);
  if (name === '$top') options.top = parseNonNegativeInteger(value, lx.option, pos, name);
  else if (name === '$skip') options.skip = parseNonNegativeInteger(value, lx.option, pos, name);
  else if (name === '$count') options.count = parseBoolean(value, lx.option, pos);
  else if (value === 'max') options.levels = 'max';
  else if (/^[1-9][0-9]{0,8}$/.test(value)) options.levels = Number(value);
  else
    throw lx.error(
      pos,
      `Expected a positive integer without leading zeros, or 'max', for $levels, found '${value}'`,
    );
}

/** A $search value inside $expand: up to ';' or the closing ')', with balanced parentheses outside quotes. */
function readNestedSearch(lx: Lexer): string {
  const start = lx.pos;
  const t = lx.text;
  let depth = 0;
  while (lx.pos < t.length) {
    const c = t[lx.pos];
    if (c === "'" || c === '"') {
      const close = t.indexOf(c, lx.pos + 1);
      if (close > 0) {
        lx.pos = close + 1;
        continue;
      }
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ';' && depth === 0) {
      break;
    }
    lx.pos++;
  }
  if (lx.pos === start) throw lx.error(start, `Empty value for $search`);
  return t.slice(start, lx.pos);
}

function parseNonNegativeInteger(value: string, option: string, pos: number, label = option): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new QuerySyntaxError(
      option,
      pos,
      `Expected a non-negative integer for ${label}, found '${value.slice(0, 40)}'`,
    );
  }
  return n;
}

function parseBoolean(value: string, option: string, pos: number): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new QuerySyntaxError(option, pos, `Expected true or false for $count, found '${value.slice(0, 40)}'`);
}
