/** Errors raised while compiling or rendering a Jinja template. */
import { LmEvalError } from '../errors.ts';
import { PyException } from '../python/types.ts';

/**
 * Jinja's TemplateSyntaxError (raised while lexing/parsing), or its subclass
 * TemplateAssertionError (unknown filter/test at compile time).
 */
export class TemplateSyntaxError extends PyException {
  constructor(
    message: string,
    public readonly source: string,
    public readonly offset: number,
    pyType: 'TemplateSyntaxError' | 'TemplateAssertionError' = 'TemplateSyntaxError',
  ) {
    const line = source.slice(0, offset).split('\n').length;
    super(pyType, `${message} (line ${line})`);
  }
}

/** Jinja's UndefinedError: a StrictUndefined value was used. */
export class UndefinedError extends PyException {
  constructor(message: string) {
    super('UndefinedError', message);
  }
}

/**
 * The error `applyTemplate` throws: what went wrong (Python exception type and message, e.g.
 * `UndefinedError: 'question' is undefined`) and the template it happened in.
 */
export class TemplateError extends LmEvalError {
  constructor(
    public readonly pyType: string,
    public readonly pyMessage: string,
    public readonly template: string,
    options?: { cause?: unknown },
  ) {
    const quoted = template.length > 300 ? JSON.stringify(template.slice(0, 300)) + '…' : JSON.stringify(template);
    super(
      `Jinja template error: ${pyType}: ${pyMessage} in template ${quoted}`,
      pyType === 'UndefinedError'
        ? 'The template uses a variable or key that the document does not have; check the field names of the dataset (after process_docs).'
        : undefined,
      options,
    );
    this.name = 'TemplateError';
  }
}
