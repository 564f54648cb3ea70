// The service's errors as one typed value: the HTTP status plus OData's error body, so screens
// can say why a write was refused and show validation messages at the field they concern.
export interface ODataErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export class ODataRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details: ODataErrorDetail[];
  /** seconds to wait before asking again, from a Retry-After header (e.g. a 429) */
  readonly retryAfterSeconds?: number;

  constructor(
    status: number,
    code: string,
    message: string,
    target?: string,
    details: ODataErrorDetail[] = [],
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ODataRequestError';
    this.status = status;
    this.code = code;
    this.target = target;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** true when the record changed on the server since it was read (If-Match failed) */
  get isConflict() {
    return this.status === 412;
  }

  /** validation messages by field name; the top-level target counts when there are no details */
  get fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const detail of this.details) {
      if (detail.target && !errors[detail.target]) errors[detail.target] = detail.message;
    }
    if (this.target && !errors[this.target]) errors[this.target] = this.message;
    return errors;
  }
}

const statusMessages: Record<number, string> = {
  401: 'The service needs a valid token: check the settings.',
  403: 'The token may not do this: check the settings.',
  404: 'The record no longer exists.',
  412: 'Someone else changed this record in the meantime.',
};

/** Retry-After as seconds: a number of seconds or an HTTP date. */
function retryAfterOf(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get('Retry-After')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Builds the typed error from a failed response, whatever its body looks like. The sign-in
 * routes under /auth answer errors in the same shape as OData's.
 */
export async function errorFromResponse(response: Response): Promise<ODataRequestError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  const fallback =
    statusMessages[response.status] ??
    `The service answered ${response.status} ${response.statusText}`.trim();
  const retryAfter = retryAfterOf(response);
  if (!error || typeof error !== 'object')
    return new ODataRequestError(response.status, 'HttpError', fallback, undefined, [], retryAfter);
  const details = Array.isArray(error.details)
    ? (error.details as ODataErrorDetail[]).filter((d) => d && typeof d.message === 'string')
    : [];
  return new ODataRequestError(
    response.status,
    typeof error.code === 'string' ? error.code : 'HttpError',
    typeof error.message === 'string' && error.message ? error.message : fallback,
    typeof error.target === 'string' ? error.target : undefined,
    details,
    retryAfter,
  );
}

/** A message fit for a rep, for any error a query or mutation can throw. */
export function describeError(error: unknown): string {
  if (error instanceof ODataRequestError) return error.message;
  if (error instanceof TypeError)
    return 'The service cannot be reached. Check your connection or the settings.';
  return error instanceof Error ? error.message : String(error);
}
