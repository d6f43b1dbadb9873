/**
 * Per-document resolution of `doc_to_text`, `doc_to_target`, `doc_to_choice`, `description` and
 * `gen_prefix` (lm_eval/api/task.py `ConfigurableTask.doc_to_text`, `doc_to_target`, …), with Python's quirks:
 * - a string spec naming a column (`features`) returns the raw column value (any type);
 * - otherwise it is rendered; for text/target a result that passes `str.isdigit()` is
 *   literal-evaluated to an int when the task has `doc_to_choice` (so "01" or "²" raise, like
 *   Python's `ast.literal_eval`);
 * - a rendered target that looks like `[...]` is literal-evaluated (kept as text on failure);
 * - a rendered choice is always literal-evaluated and must give a list/tuple.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { parsePythonLiteral } from '../python/literal.ts';
import { isIntLike } from '../python/types.ts';
import { isPlainObject, PyFloat, pyRepr } from '../python/values.ts';
import { applyTemplate } from '../template/index.ts';
import type { TaskConfig } from './config.ts';
import { FunctionRef } from './yaml.ts';

type Doc = Record<string, unknown>;

/**
 * Python `str.isdigit()`: Unicode decimal digits plus the characters with Numeric_Type=Digit
 * (superscripts, circled/parenthesised digits, …). Non-empty.
 */
const ISDIGIT_RE =
  /^[\p{Nd}\u00B2\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u;

export function pyIsDigit(s: string): boolean {
  return ISDIGIT_RE.test(s);
}

function isCallable(v: unknown): v is (doc: Doc) => unknown {
  return typeof v === 'function';
}

function literalEval(text: string, what: string): unknown {
  try {
    return parsePythonLiteral(text);
  } catch (err) {
    throw new LmEvalError(`${what}: cannot evaluate ${pyRepr(text)} as a Python literal: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
}

function unresolved(field: string, ref: FunctionRef): never {
  throw new LmEvalError(`${ref.yamlFile || ref.yamlDir}: ${field} is an unresolved !function ${ref.raw} (load the task with functions resolved)`);
}

export interface DocFormatterOptions {
  config: TaskConfig;
  /** Column names of the evaluation split (after process_docs). */
  features: readonly string[];
  profile: Profile;
  /** Task name for error messages. */
  task?: string;
}

/** doc_to_* resolution for one task. Specs default to the task's config values. */
export class DocFormatter {
  readonly config: TaskConfig;
  readonly features: ReadonlySet<string>;
  readonly profile: Profile;
  private readonly task: string;

  constructor(options: DocFormatterOptions) {
    this.config = options.config;
    this.features = new Set(options.features);
    this.profile = options.profile;
    this.task = options.task ?? String(options.config.task ?? '<task>');
  }

  private hasChoice(): boolean {
    return this.config.doc_to_choice !== null && this.config.doc_to_choice !== undefined;
  }

  /** `doc_to_text(doc)`: a string, or an int (index; multiple-input tasks), or a column's raw value. */
  docToText(doc: Doc, spec: unknown = this.config.doc_to_text): unknown {
    if (isIntLike(spec)) return spec;
    if (typeof spec === 'string') {
      if (this.features.has(spec)) return doc[spec];
      const text = applyTemplate(spec, doc);
      if (pyIsDigit(text) && this.hasChoice()) return literalEval(text, `${this.task}: doc_to_text`);
      return text;
    }
    if (isCallable(spec)) return spec(doc);
    if (spec instanceof FunctionRef) unresolved('doc_to_text', spec);
    throw new LmEvalError(`${this.task}: doc_to_text must be a string, an int or a function, got ${describe(spec)}`);
  }

  /** `doc_to_target(doc)`: string, int (choice index), list (multiple targets) or a column's value. */
  docToTarget(doc: Doc, spec: unknown = this.config.doc_to_target): unknown {
    if (isIntLike(spec)) return spec;
    if (typeof spec === 'string') {
      if (this.features.has(spec)) return doc[spec];
      const text = applyTemplate(spec, doc);
      if (pyIsDigit(text) && this.hasChoice()) return literalEval(text, `${this.task}: doc_to_target`);
      if (text.length >= 2 && text[0] === '[' && text[text.length - 1] === ']') {
        try {
          return parsePythonLiteral(text);
        } catch {
          return text;
        }
      }
      return text;
    }
    if (Array.isArray(spec)) return spec;
    if (isCallable(spec)) return spec(doc);
    if (spec instanceof FunctionRef) unresolved('doc_to_target', spec);
    throw new LmEvalError(`${this.task}: doc_to_target must be a string, an int, a list or a function, got ${describe(spec)}`);
  }

  /** `doc_to_choice(doc)`: the answer options (a list). */
  docToChoice(doc: Doc, spec: unknown = this.config.doc_to_choice): unknown {
    if (spec === null || spec === undefined) {
      throw new LmEvalError(`${this.task}: doc_to_choice was called but is not set in the task config`);
    }
    if (typeof spec === 'string') {
      if (this.features.has(spec)) return doc[spec];
      const rendered = applyTemplate(spec, doc);
      const value = literalEval(rendered, `${this.task}: doc_to_choice`);
      return value;
    }
    if (Array.isArray(spec)) return spec;
    if (isPlainObject(spec)) return Object.values(spec);
    if (isCallable(spec)) return spec(doc);
    if (spec instanceof FunctionRef) unresolved('doc_to_choice', spec);
    throw new LmEvalError(`${this.task}: doc_to_choice must be a string, a list, a mapping or a function, got ${describe(spec)}`);
  }

  /**
   * The rendered task description. [latest] a description equal to a doc key gives that value;
   * [v0.4.4] rendered when non-empty. Empty -> "".
   */
  description(doc: Doc, spec: unknown = this.config.description): string {
    if (typeof spec !== 'string' || spec === '') return '';
    if (this.profile === 'latest' && Object.prototype.hasOwnProperty.call(doc, spec)) return doc[spec] as string;
    return applyTemplate(spec, doc);
  }

  /** [latest] `gen_prefix`: a column's value, else rendered; undefined when not set. */
  genPrefix(doc: Doc, spec: unknown = this.config.gen_prefix): string | undefined {
    if (spec === null || spec === undefined) return undefined;
    if (typeof spec !== 'string') throw new LmEvalError(`${this.task}: gen_prefix must be a string, got ${describe(spec)}`);
    if (this.features.has(spec)) return doc[spec] as string;
    return applyTemplate(spec, doc);
  }

  /**
   * Task shape decided once from the first evaluation doc (as `ConfigurableTask.__init__` does): `multipleInput` = number of
   * choices when doc_to_text gives an int and doc_to_choice is set (else 0); `multipleTarget` =
   * length of the target list when doc_to_target gives a list (else 0).
   */
  detectShape(doc0: Doc): { multipleInput: number; multipleTarget: number } {
    const text = this.docToText(doc0);
    const target = this.docToTarget(doc0);
    let multipleInput = 0;
    if (this.hasChoice()) {
      const choices = this.docToChoice(doc0);
      if (!Array.isArray(choices)) {
        throw new LmEvalError(`${this.task}: doc_to_choice must give a list, got ${describe(choices)}`);
      }
      if (isIntLike(text)) multipleInput = choices.length;
    }
    return { multipleInput, multipleTarget: Array.isArray(target) ? target.length : 0 };
  }
}

function describe(v: unknown): string {
  if (v instanceof PyFloat || typeof v === 'number') return `the number ${pyRepr(v)}`;
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${pyRepr(v)}`;
}
