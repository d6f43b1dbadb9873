/**
 * An error the user can cause and fix (bad YAML, unknown metric, missing split, bad flag).
 * The CLI prints `message` (and `hint`) as one clear line, without a stack trace.
 */
export class LmEvalError extends Error {
  constructor(
    message: string,
    public readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LmEvalError';
  }
}
