/**
 * Python's object model for our value representation: exception types, the helper types a
 * template or `str.format` can hold (slice, range, dict views, iterators, bound methods), type
 * predicates and names, the object protocol (str(), len(), iter(), hashability), index/slice
 * arithmetic and call-argument binding.
 */
import { LmEvalError } from '../errors.ts';
import { PyFloat, PyTuple, isFloat, isPlainObject, pyLen, pyRepr, pyStr } from './values.ts';

// ---------------------------------------------------------------------------------------------
// Exceptions and types
// ---------------------------------------------------------------------------------------------

/** A Python exception raised while evaluating Python semantics (TypeError, KeyError, …). */
export class PyException extends LmEvalError {
  constructor(
    public readonly pyType: string,
    public readonly pyMessage: string,
    hint?: string,
  ) {
    super(`${pyType}: ${pyMessage}`, hint);
    this.name = 'PyException';
  }
}

export function typeError(msg: string): PyException {
  return new PyException('TypeError', msg);
}
export function valueError(msg: string): PyException {
  return new PyException('ValueError', msg);
}

/** A Python slice object (`a[start:stop:step]`). */
export class PySlice {
  constructor(
    public readonly start: unknown,
    public readonly stop: unknown,
    public readonly step: unknown,
  ) {}
  __pyStr__(): string {
    return `slice(${pyRepr(this.start)}, ${pyRepr(this.stop)}, ${pyRepr(this.step)})`;
  }
}

/** Python `range` object. */
export class PyRange {
  readonly length: number;
  constructor(
    public readonly start: number,
    public readonly stop: number,
    public readonly step: number,
  ) {
    if (step === 0) throw valueError('range() arg 3 must not be zero');
    const n = step > 0 ? Math.ceil((stop - start) / step) : Math.ceil((start - stop) / -step);
    this.length = Math.max(0, n);
  }
  at(i: number): number {
    return this.start + i * this.step;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
  __len__(): number {
    return this.length;
  }
  __pyStr__(): string {
    return this.step === 1 ? `range(${this.start}, ${this.stop})` : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
}

/** A one-shot Python iterator (generator objects returned by `map`, `reversed`, …). */
export class PyIterator {
  constructor(
    private readonly it: Iterator<unknown>,
    public readonly label = 'generator object',
  ) {}
  [Symbol.iterator](): Iterator<unknown> {
    return this.it;
  }
  __pyStr__(): string {
    return `<${this.label}>`;
  }
}

/** A Python method bound to its receiver (`'a'.strip`). */
export class PyBoundMethod {
  constructor(
    public readonly self: unknown,
    public readonly name: string,
    private readonly fn: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
  ) {}
  __call__(args: unknown[], kwargs: Record<string, unknown>): unknown {
    return this.fn(args, kwargs);
  }
  __pyStr__(): string {
    return `<built-in method ${this.name} of ${pyTypeName(this.self)} object>`;
  }
}

export function isPyBool(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
/** Python int (not bool): integral JS number that is not a PyFloat, or bigint. */
export function isPyInt(v: unknown): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}
/** Python int or bool (bool is a subclass of int). */
export function isIntLike(v: unknown): v is number | bigint | boolean {
  return isPyInt(v) || typeof v === 'boolean';
}
export function isPyFloatValue(v: unknown): boolean {
  return isFloat(v);
}
export function isDict(v: unknown): v is Record<string, unknown> | Map<unknown, unknown> {
  return isPlainObject(v) || v instanceof Map;
}
export function isList(v: unknown): v is unknown[] {
  return Array.isArray(v) && !(v instanceof PyTuple);
}

/** Python `type(v).__name__`. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof PyFloat) return 'float';
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  if (v instanceof Set) return 'set';
  if (v instanceof PyRange) return 'range';
  if (v instanceof PyBoundMethod) return 'builtin_function_or_method';
  if (v instanceof PySlice) return 'slice';
  if (v instanceof PyIterator) return 'generator';
  if (typeof v === 'function') return 'function';
  const named = (v as { __pyTypeName__?: string }).__pyTypeName__;
  if (typeof named === 'string') return named;
  return 'object';
}

// ---------------------------------------------------------------------------------------------
// Object protocol: str(), len(), iter(), hash check
// ---------------------------------------------------------------------------------------------

/**
 * Python `str(v)` at top level. Objects may define `__str__` (e.g. Jinja's StrictUndefined,
 * which raises); inside containers values print with repr via `pyStr`.
 */
export function pyToStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') {
    const s = (v as { __str__?: () => string }).__str__;
    if (typeof s === 'function') return s.call(v);
  }
  return pyStr(v);
}

/** Python `len(v)`. */
export function pyLength(v: unknown): number {
  if (typeof v === 'string') return pyLen(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (isPlainObject(v)) return Object.keys(v).length;
  if (v !== null && typeof v === 'object') {
    const l = (v as { __len__?: () => number }).__len__;
    if (typeof l === 'function') return l.call(v);
  }
  throw typeError(`object of type '${pyTypeName(v)}' has no len()`);
}

/** Python `iter(v)`: str → code points, dict → keys, sequences, generators. */
export function pyIter(v: unknown): Iterable<unknown> {
  if (typeof v === 'string') return v; // JS string iteration is by code point
  if (Array.isArray(v)) return v;
  if (isPlainObject(v)) return Object.keys(v);
  if (v instanceof Map) return v.keys();
  if (v instanceof Set) return v;
  if (v !== null && typeof v === 'object') {
    const i = (v as { __iter__?: () => Iterable<unknown> }).__iter__;
    if (typeof i === 'function') return i.call(v);
    if (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') return v as Iterable<unknown>;
  }
  throw typeError(`'${pyTypeName(v)}' object is not iterable`);
}

/** Python `list(v)`. */
export function pyList(v: unknown): unknown[] {
  return Array.from(pyIter(v));
}

/** Raises Python's TypeError for unhashable values (lists, dicts, sets). */
export function checkHashable(v: unknown): void {
  if (v instanceof PyTuple) {
    for (const x of v) checkHashable(x);
    return;
  }
  if (Array.isArray(v) || isDict(v) || v instanceof Set) throw typeError(`unhashable type: '${pyTypeName(v)}'`);
}


/** Python `int.__index__`-like coercion for indices and counts (bool and int accepted). */
export function toIndex(v: unknown, what = 'slice indices'): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw typeError(`${what} must be integers or None or have an __index__ method`);
}

/** PySlice_AdjustIndices: returns the selected positions of a sequence of length `len`. */
export function sliceIndices(len: number, start: unknown, stop: unknown, step: unknown): number[] {
  const [a, b, st] = adjustSlice(len, start, stop, step);
  const out: number[] = [];
  if (st > 0) for (let i = a; i < b; i += st) out.push(i);
  else for (let i = a; i > b; i += st) out.push(i);
  return out;
}

/** Python `slice(start, stop, step).indices(len)`: clamped [start, stop, step]. */
export function adjustSlice(len: number, start: unknown, stop: unknown, step: unknown): [number, number, number] {
  const st = step === null || step === undefined ? 1 : toIndex(step);
  if (st === 0) throw valueError('slice step cannot be zero');
  const lower = st < 0 ? -1 : 0;
  const upper = st < 0 ? len - 1 : len;
  const norm = (v: unknown, dflt: number): number => {
    if (v === null || v === undefined) return dflt;
    let i = toIndex(v);
    if (i < 0) {
      i += len;
      if (i < lower) i = lower;
    } else if (i > upper) i = upper;
    return i;
  };
  const a = norm(start, st < 0 ? upper : lower);
  const b = norm(stop, st < 0 ? lower : upper);
  return [a, b, st];
}

// ---------------------------------------------------------------------------------------------
// Argument binding
// ---------------------------------------------------------------------------------------------

interface Sig {
  /** Parameter names, in order. */
  params: string[];
  /** Number of required parameters. */
  required?: number;
  /** Whether keyword arguments are accepted (Python builtins are mostly positional-only). */
  kw?: boolean;
}

/** Binds Python call arguments to a signature; missing optional parameters are `undefined`. */
export function bindArgs(fname: string, sig: Sig, args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  const { params } = sig;
  const required = sig.required ?? 0;
  const kwNames = Object.keys(kwargs);
  if (kwNames.length && !sig.kw) throw typeError(`${fname}() takes no keyword arguments`);
  if (args.length > params.length) {
    throw typeError(
      params.length === 0
        ? `${fname}() takes no arguments (${args.length} given)`
        : `${fname}() takes at most ${params.length} argument${params.length === 1 ? '' : 's'} (${args.length} given)`,
    );
  }
  const out: unknown[] = params.map((_, i) => (i < args.length ? args[i] : undefined));
  for (const k of kwNames) {
    const i = params.indexOf(k);
    if (i < 0) throw typeError(`${fname}() got an unexpected keyword argument '${k}'`);
    if (i < args.length) throw typeError(`${fname}() got multiple values for argument '${k}'`);
    out[i] = kwargs[k];
  }
  for (let i = 0; i < required; i++) {
    if (out[i] === undefined) {
      throw typeError(`${fname}() takes at least ${required} argument${required === 1 ? '' : 's'} (${args.length} given)`);
    }
  }
  return out;
}

/** An optional integer argument (None/absent → `dflt`). */
export function optInt(v: unknown, dflt: number): number {
  return v === undefined || v === null ? dflt : toIndex(v, 'integer argument');
}
