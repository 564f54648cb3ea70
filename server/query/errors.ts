// Errors a client can cause. The HTTP layer maps them to status codes and the OData error body.

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export class ODataError extends Error {
  /** extra response headers, e.g. Retry-After on a 429 */
  headers: Record<string, string> = {};

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ODataError';
  }

  /** The OData error body: `{"error": {"code", "message", "target"?, "details"?}}`. */
  toBody(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.target) error.target = this.target;
    if (this.details?.length) error.details = this.details;
    return { error };
  }
}

/** Malformed query syntax: 400, naming the query option and the position of the problem. */
export class QuerySyntaxError extends ODataError {
  constructor(
    readonly option: string,
    readonly position: number,
    message: string,
  ) {
    super(400, 'SyntaxError', `${message} (${option}, position ${position})`, option);
    this.name = 'QuerySyntaxError';
  }
}

/** A feature of OData the parser recognises but the service does not implement: 501. */
export class NotImplementedError extends ODataError {
  constructor(message: string, target?: string) {
    super(501, 'NotImplemented', message, target);
    this.name = 'NotImplementedError';
  }
}

export const badRequest = (message: string, target?: string, code = 'BadRequest') =>
  new ODataError(400, code, message, target);
