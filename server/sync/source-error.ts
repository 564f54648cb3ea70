// What went wrong with the source of a sync, said so that the person running it knows what to do.
import { causeOf } from '../oauth/client-credentials.ts';

export class SourceError extends Error {
  constructor(
    message: string,
    /** the source's HTTP status, when it answered */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }

  /** fetch failed before any answer: name the address and the system's reason (ECONNREFUSED...) */
  static unreachable(url: string, error: unknown, what = 'the source') {
    return new SourceError(`Cannot reach ${what} at ${url}: ${causeOf(error)}`);
  }
}
