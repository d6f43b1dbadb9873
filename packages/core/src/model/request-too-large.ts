/**
 * A request a backend cannot take at all (a continuation longer than the context window, a
 * prompt too large to encode in this process's memory), found before it is sent. `index` is the
 * request's position in the list the backend was given; the evaluator names the task and
 * document it belongs to (run-requests.ts), and the response cache maps the index of the
 * requests it forwarded back to its own list.
 */
import { LmEvalError } from '../errors.ts';

export class RequestTooLargeError extends LmEvalError {
  constructor(
    readonly index: number,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'RequestTooLargeError';
  }

  /** The same error for the request at `index` of the caller's list. */
  at(index: number): RequestTooLargeError {
    return new RequestTooLargeError(index, this.message, this.hint);
  }
}
