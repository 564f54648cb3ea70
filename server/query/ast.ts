// The syntax tree of OData query options, as produced by the parser and consumed by the
// checker (against the entity model) and the SQL planner. Positions are 0-based offsets into
// the decoded value of the query option they came from.

export type LiteralType =
  | 'null'
  | 'boolean'
  | 'int' // integer without fraction or exponent
  | 'decimal' // number with fraction or exponent (also INF, -INF, NaN)
  | 'string'
  | 'date' // value: 'YYYY-MM-DD'
  | 'datetime' // value: normalised to UTC ISO 'YYYY-MM-DDTHH:MM:SS.sssZ'
  | 'timeofday' // value: 'HH:MM:SS' or 'HH:MM:SS.fff'
  | 'guid' // value: lower-case canonical form
  | 'duration'; // value: the ISO 8601 duration text, e.g. 'P1DT2H'

export interface LiteralExpr {
  kind: 'literal';
  type: LiteralType;
  value: string | number | boolean | null;
  pos: number;
}

/** A member path such as `Subject`, `Phase/Code`, or `p/Price` inside a lambda. `$count` may be a segment. */
export interface PathExpr {
  kind: 'path';
  segments: string[];
  pos: number;
}

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type LogicalOp = 'and' | 'or';
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'divby' | 'mod';

export interface BinaryExpr {
  kind: 'binary';
  op: ComparisonOp | LogicalOp | ArithmeticOp | 'has';
  left: Expr;
  right: Expr;
  pos: number; // position of the operator
}

export interface InExpr {
  kind: 'in';
  left: Expr;
  list: Expr[];
  pos: number;
}

export interface NotExpr {
  kind: 'not';
  operand: Expr;
  pos: number;
}

export interface NegateExpr {
  kind: 'negate';
  operand: Expr;
  pos: number;
}

/** Built-in function call; `name` is lower-case as written in the URL (OData function names are lower-case). */
export interface CallExpr {
  kind: 'call';
  name: string;
  args: Expr[];
  pos: number;
}

/** `ProductLines/any(p: p/Price gt 5)`; `variable` and `predicate` are absent for `any()`. */
export interface LambdaExpr {
  kind: 'lambda';
  op: 'any' | 'all';
  collection: PathExpr;
  variable?: string;
  predicate?: Expr;
  pos: number;
}

export type Expr =
  | LiteralExpr
  | PathExpr
  | BinaryExpr
  | InExpr
  | NotExpr
  | NegateExpr
  | CallExpr
  | LambdaExpr;

export interface OrderByItem {
  expr: Expr;
  direction: 'asc' | 'desc';
}

/** `*` selects every structural property; otherwise a property path. */
export type SelectItem = { kind: 'star'; pos: number } | { kind: 'path'; segments: string[]; pos: number };

export interface ExpandItem {
  /** navigation path, e.g. ['ProductLines'] or ['Phase', 'Pipeline']; ['*'] for `$expand=*` */
  path: string[];
  /** `$expand=Phase/$ref` */
  ref: boolean;
  options: ExpandOptions;
  pos: number;
}

export interface ExpandOptions {
  filter?: Expr;
  orderby?: OrderByItem[];
  select?: SelectItem[];
  expand?: ExpandItem[];
  top?: number;
  skip?: number;
  count?: boolean;
  search?: string;
  levels?: number | 'max';
}

/** Data aggregation transformations (`$apply`). */
export type ApplyStep =
  | { kind: 'filter'; expr: Expr; pos: number }
  | { kind: 'groupby'; paths: PathExpr[]; then?: ApplyStep[]; pos: number }
  | { kind: 'aggregate'; items: AggregateItem[]; pos: number };

export type AggregateItem =
  /** `Amount with sum as Total` */
  | {
      kind: 'with';
      expr: Expr;
      method: 'sum' | 'min' | 'max' | 'average' | 'countdistinct';
      alias: string;
      pos: number;
    }
  /** `$count as Count` */
  | { kind: 'count'; alias: string; pos: number };

export interface QueryOptions extends ExpandOptions {
  apply?: ApplyStep[];
  skiptoken?: string;
  /** `$id`: the entity a collection `$ref` delete removes */
  id?: string;
  format?: string;
  /** parameter aliases `@p=...`, already substituted into the expressions that use them */
  aliases?: Record<string, Expr>;
}

export type QueryOptionName =
  | '$filter'
  | '$orderby'
  | '$select'
  | '$expand'
  | '$top'
  | '$skip'
  | '$count'
  | '$search'
  | '$apply'
  | '$skiptoken'
  | '$format'
  | '$levels'
  | '$compute'
  | '$index'
  | '$schemaversion'
  | '$deltatoken'
  | '$id';
