/**
 * One reader for `--model_args`, shared by every backend: a backend declares a typed schema
 * (name, type, default, description) and {@link readModelArgs} validates and defaults the values
 * with the same spelling rules and the same error wording for all of them. The schema also
 * renders the backend's README table and its `lm-eval run --model <name> --help` section.
 *
 * Spelling rules. The CLI types each `key=value` as lm-eval's `simple_parse_args_string` +
 * `handle_arg_string` do (lm_eval/utils.py): `true`/`false` in any case → bool, ASCII digits → int,
 * `float()` → float, else text (latest also runs `ast.literal_eval`, so `None` → None). Programs
 * may pass typed values or the same text; the reader accepts both:
 * - absent, empty, `None` (Python None / `null`) or the text `None` → the argument's default;
 * - bool: a boolean, `true`/`false` in any case, or the ints 1/0 (Python's truthy ints). Other
 *   words (`yes`, `on`, ...) are errors, as they are not booleans to lm-eval either;
 * - int: an integer, an integral float, or text that Python `int()` reads (`1_000`, ` 8 `, `٣`);
 * - float: a number or text that Python `float()` reads;
 * - str: text; a number or bool given where text is expected reads as Python `str()` of it;
 * - json: a mapping, or its JSON text;
 * - batch_size: a positive integer, `auto` or `auto:N`.
 * Errors: `--model <backend>: model_args <key>=<value>: expected <what>.` — hint
 * `Fix <key> in --model_args.`; unknown keys list the accepted ones.
 */
import { LmEvalError } from '../errors.ts';
import { isPlainObject, PyFloat, pyStr } from '../python/values.ts';
import { closest } from '../util/suggest.ts';
import { pyIntFromString } from '../python/numeric.ts';
import type { ModelArgs } from './types.ts';

export type ModelArgType = 'str' | 'int' | 'float' | 'bool' | 'json' | 'batch_size';

/** `batch_size`: a fixed size, `auto`, or `auto:N` (re-detected N times). */
export type BatchSizeArg = number | 'auto' | `auto:${number}`;

export interface ModelArgSpec {
  readonly name: string;
  readonly type: ModelArgType;
  /** Used when the argument is absent or None. No default: the value is null (or, if required, an error). */
  readonly default?: string | number | boolean;
  /** How the default reads in docs when it is computed rather than fixed (e.g. `model config`). */
  readonly defaultText?: string;
  readonly description: string;
  /** Smallest accepted value (int, float, batch_size). */
  readonly min?: number;
  /** Accepted values (str); compared case-sensitively after the backend's own normalisation. */
  readonly choices?: readonly string[];
  /** Absent/None is an error naming the argument. */
  readonly required?: boolean;
}

export interface ModelArgsSchema {
  /** The `--model` name(s) this schema is for, used in messages (`--model hf`). */
  readonly backend: string;
  readonly args: readonly ModelArgSpec[];
  /** Further keys accepted unchecked and returned as given (vLLM engine arguments). */
  readonly passthrough?: readonly string[];
}

type TypeOf<T extends ModelArgType> = T extends 'str'
  ? string
  : T extends 'int' | 'float'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'json'
        ? Record<string, unknown>
        : BatchSizeArg;

type ValueOf<S extends ModelArgSpec> = S extends { required: true }
  ? TypeOf<S['type']>
  : S extends { default: string | number | boolean }
    ? TypeOf<S['type']>
    : TypeOf<S['type']> | null;

/** The values {@link readModelArgs} returns for a schema declared `as const`. */
export type ModelArgValues<A extends readonly ModelArgSpec[]> = { [S in A[number] as S['name']]: ValueOf<S> };

/** Declares a schema with its literal types kept (so the read values are typed per argument). */
export function defineModelArgs<const A extends readonly ModelArgSpec[]>(backend: string, args: A, passthrough?: readonly string[]): ModelArgsSchema & { args: A } {
  return { backend, args, passthrough };
}

/** The one wording of a bad model argument. */
export function modelArgError(backend: string, key: string, value: unknown, expected: string): LmEvalError {
  return new LmEvalError(`--model ${backend}: model_args ${key}=${showValue(value)}: expected ${expected}.`, `Fix ${key} in --model_args.`);
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isPlainObject(v)) return JSON.stringify(v);
  return pyStr(v);
}

function isNone(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && (v.trim() === 'None' || v.trim() === ''));
}

/** Python `float(text)` (finite and non-finite spellings). */
function parseFloatText(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?((\d(_?\d)*)(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function readOne(backend: string, spec: ModelArgSpec, v: unknown): unknown {
  const bad = (what: string): never => {
    throw modelArgError(backend, spec.name, v, what);
  };
  const atLeast = spec.min === undefined ? '' : ` >= ${spec.min}`;
  switch (spec.type) {
    case 'str': {
      const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof PyFloat ? pyStr(v) : bad('text');
      if (spec.choices && !spec.choices.includes(s)) bad(`one of ${spec.choices.join(', ')}`);
      return s;
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 0) return v === 1;
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
      return bad('True or False');
    }
    case 'int': {
      const n = typeof v === 'string' ? (pyIntFromString(v) ?? undefined) : numeric(v);
      if (n === undefined || !Number.isInteger(n) || (spec.min !== undefined && n < spec.min)) bad(`an integer${atLeast}`);
      return n;
    }
    case 'float': {
      const n = typeof v === 'string' ? parseFloatText(v) : numeric(v);
      if (n === undefined || Number.isNaN(n) || (spec.min !== undefined && n < spec.min)) bad(`a number${atLeast}`);
      return n;
    }
    case 'json': {
      if (isPlainObject(v)) return { ...v };
      if (typeof v === 'string') {
        try {
          const o = JSON.parse(v) as unknown;
          if (isPlainObject(o)) return o;
        } catch {
          // reported below
        }
      }
      return bad('a JSON object');
    }
    case 'batch_size': {
      if (typeof v === 'string' && /^auto(:\d+)?$/.test(v.trim())) return v.trim();
      const n = typeof v === 'string' ? (pyIntFromString(v) ?? undefined) : numeric(v);
      if (n === undefined || !Number.isInteger(n) || n < (spec.min ?? 1)) bad(`a positive integer, auto or auto:N`);
      return n;
    }
  }
}

/**
 * Validates `args` against `schema`: every declared argument comes back (its value, else its
 * default, else null), passthrough keys come back as given, and unknown keys are one error
 * listing the accepted ones. `fallback` supplies values for absent arguments (the CLI's
 * `--batch_size`, `--device`, ...); model_args win over it.
 */
export function readModelArgs<A extends readonly ModelArgSpec[]>(
  schema: ModelArgsSchema & { args: A },
  args: ModelArgs,
  fallback: Record<string, unknown> = {},
): ModelArgValues<A> & { passthrough: Record<string, unknown> } {
  const declared = new Set(schema.args.map((a) => a.name));
  const passthrough = new Set(schema.passthrough ?? []);
  const unknown = Object.keys(args).filter((k) => !declared.has(k) && !passthrough.has(k));
  if (unknown.length) {
    const accepted = schema.args.map((a) => a.name).join(', ');
    const extra = schema.passthrough?.length ? `; passed through: ${schema.passthrough.join(', ')}` : '';
    const names = [...declared, ...passthrough];
    const near = unknown.map((k) => [k, closest(k, names)]).filter(([, c]) => c);
    const hint = near.length ? `Did you mean ${near.map(([k, c]) => `${c} (for ${k})`).join(', ')}?` : 'Remove or rename them in --model_args.';
    throw new LmEvalError(`--model ${schema.backend}: unknown model_args ${unknown.join(', ')}. Accepted: ${accepted}${extra}.`, hint);
  }
  const out: Record<string, unknown> = {};
  for (const spec of schema.args) {
    let v: unknown = args[spec.name];
    if (isNone(v)) v = fallback[spec.name];
    if (isNone(v)) {
      if (spec.required) {
        throw new LmEvalError(`--model ${schema.backend} needs model_args ${spec.name}: ${spec.description}`, `Add ${spec.name}=<value> to --model_args.`);
      }
      out[spec.name] = spec.default ?? null;
      continue;
    }
    out[spec.name] = readOne(schema.backend, spec, v);
  }
  const through: Record<string, unknown> = {};
  for (const k of schema.passthrough ?? []) if (k in args) through[k] = args[k] instanceof PyFloat ? (args[k] as PyFloat).value : args[k];
  return { ...(out as ModelArgValues<A>), passthrough: through };
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function defaultCell(spec: ModelArgSpec): string {
  if (spec.required) return 'required';
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined) return '–';
  return '`' + (typeof spec.default === 'boolean' ? (spec.default ? 'True' : 'False') : String(spec.default)) + '`';
}

/** The schema as a markdown table (`| arg | type | default | description |`), for READMEs. */
export function modelArgsMarkdown(schema: ModelArgsSchema): string {
  const rows = schema.args.map((a) => `| \`${a.name}\` | ${a.type} | ${cell(defaultCell(a))} | ${cell(a.description)} |`);
  const lines = ['| arg | type | default | description |', '| --- | --- | --- | --- |', ...rows];
  if (schema.passthrough?.length) lines.push('', `Passed through unchanged: ${schema.passthrough.map((k) => `\`${k}\``).join(', ')}.`);
  return lines.join('\n') + '\n';
}

/** The schema as plain text for `--help`: one line per argument. */
export function modelArgsHelp(schema: ModelArgsSchema): string {
  const width = Math.max(...schema.args.map((a) => a.name.length + a.type.length + 3));
  const lines = [`Model arguments of --model ${schema.backend} (--model_args key=value,...):`];
  for (const a of schema.args) {
    const head = `${a.name} (${a.type})`.padEnd(width);
    const dflt = defaultCell(a).replace(/`/g, '');
    lines.push(`  ${head}  ${a.description.replace(/`/g, '')} [default: ${dflt}]`);
  }
  if (schema.passthrough?.length) lines.push(`  passed through unchanged: ${schema.passthrough.join(', ')}`);
  return lines.join('\n') + '\n';
}
