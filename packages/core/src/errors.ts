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

/**
 * Several independent user errors found in one pass (e.g. three of five requested tasks fail to
 * load): `details` holds one line per error, the CLI prints them all before the summary line.
 */
export class LmEvalErrors extends LmEvalError {
  readonly details: string[];
  constructor(
    message: string,
    public readonly errors: unknown[],
    hint?: string,
  ) {
    super(message, hint);
    this.details = errors.map(errorText);
  }

  /** Nothing for no errors, the error itself for one, else an LmEvalErrors naming how many. */
  static combine(errors: unknown[], what: string): unknown {
    if (errors.length <= 1) return errors[0];
    return new LmEvalErrors(`${errors.length} ${what} (each is listed above)`, errors);
  }
}

/** `message — hint` of an error, as one line. */
export function errorText(e: unknown): string {
  const err = (e ?? {}) as { name?: string; message?: string; hint?: string };
  const type = err.name && err.name !== 'Error' && err.name !== 'LmEvalError' ? `${err.name}: ` : '';
  const text = `${type}${err.message ?? String(e)}${err.hint ? ` — ${err.hint}` : ''}`;
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
