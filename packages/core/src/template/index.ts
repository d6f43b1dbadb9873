/**
 * Jinja2 templates with Python semantics — lm-eval's `apply_template`:
 *
 *   env = Environment(loader=BaseLoader(), undefined=StrictUndefined, keep_trailing_newline=True)
 *   env.filters["regex_replace"] = regex_replace
 *   env.from_string(template).render(**doc)
 *
 * Design choice: an own Jinja-subset engine (lexer → parser → closure compiler) instead of
 * patching nunjucks. Nunjucks compiles templates to JavaScript whose operators, truthiness,
 * `+`, `in`, comparisons, slicing, string escapes and undefined handling are JS semantics; it has
 * no `**kwargs` call syntax, no Python method model and no StrictUndefined. Patching its compiled
 * output for each of those (the Jinja environment of lm_eval/utils.py `apply_template`) would touch nearly every node type, and its
 * lexer decodes string literals differently from Jinja. Jinja's grammar is small, so we
 * reproduce jinja2/lexer.py + parser.py exactly and evaluate every operation through the Python
 * value model (python/values.ts, python/methods.ts, python/format.ts), which gives full control
 * over each documented quirk. Templates are compiled once into closures and cached by source.
 *
 * Supported: `{{ }}`, `{% if/elif/else %}`, `{% for %}` (tuple targets, `loop.*`, `else`, inline
 * `if` filter), `{% set %}` (incl. block set and `ns.attr`), `{% with %}`, `{% macro %}`,
 * `{% filter %}`, `{% print %}`, `{% raw %}`, comments, whitespace control, all expression syntax
 * of Jinja 2.x/3.x (literals, `* ** // % ~`, comparison chains, `in`/`not in`, `is` tests,
 * filters, calls with `*args`/`**kwargs`), globals `range`, `dict`, `namespace`, `joiner`,
 * `cycler`. Not supported (raise a clear error): template inheritance/includes/imports (no loader
 * in lm-eval anyway), `{% call %}`, recursive loops, `{% autoescape %}`.
 */
import { LmEvalError } from '../errors.ts';
import { PyException } from '../python/types.ts';
import { compileStatements } from './compiler.ts';
import { TemplateError } from './errors.ts';
import { tokenize } from './lexer.ts';
import { Parser } from './parser.ts';

export { TemplateError, TemplateSyntaxError, UndefinedError } from './errors.ts';

/** A compiled template. */
export interface CompiledTemplate {
  readonly source: string;
  /** Renders with `vars` as the top-level variables (Python `template.render(**vars)`). */
  render(vars: Record<string, unknown>): string;
}

const CACHE_LIMIT = 10_000;
const cache = new Map<string, CompiledTemplate | TemplateError>();

function wrap(e: unknown, template: string): Error {
  if (e instanceof TemplateError) return e;
  if (e instanceof PyException) return new TemplateError(e.pyType, e.pyMessage, template, { cause: e });
  if (e instanceof LmEvalError) return new TemplateError('Error', e.message, template, { cause: e });
  if (e instanceof RangeError) return new TemplateError('RecursionError', e.message, template, { cause: e });
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Compiles (once; cached by source text) a Jinja template. Throws a TemplateError for syntax
 * errors and for unknown filters/tests outside `{% if %}` branches, like Jinja's `from_string`.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const hit = cache.get(source);
  if (hit instanceof TemplateError) throw hit;
  if (hit) return hit;
  let result: CompiledTemplate | TemplateError;
  try {
    const ast = new Parser(tokenize(source), source.replace(/\r\n|\r/g, '\n')).parseTemplate();
    const run = compileStatements(ast, source);
    result = {
      source,
      render(vars: Record<string, unknown>): string {
        try {
          return run(vars);
        } catch (e) {
          throw wrap(e, source);
        }
      },
    };
  } catch (e) {
    const w = wrap(e, source);
    if (!(w instanceof TemplateError)) throw w;
    result = w;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(source, result);
  if (result instanceof TemplateError) throw result;
  return result;
}

/**
 * lm-eval's `apply_template(template, doc)`: renders `template` with the doc's top-level keys
 * as variables, StrictUndefined, `keep_trailing_newline=True`, no autoescape and the
 * `regex_replace` filter. Undefined variables and other template errors throw a TemplateError
 * (an LmEvalError) naming the problem and quoting the template.
 */
export function applyTemplate(template: string, doc: Record<string, unknown>): string {
  return compileTemplate(template).render(doc);
}
