/**
 * Python built-in methods of str, list, tuple and dict, plus the object protocol pieces they
 * need (str(), len(), iter(), obj[key], getattr) — used by the Jinja-compatible template engine
 * and by `str.format` field lookup.
 *
 * Python strings are indexed by code point; JS strings by UTF-16 unit. Every index-based
 * operation here converts through code points when the string contains surrogates.
 */
import { LmEvalError } from '../errors.ts';
import { pyFormat } from './format.ts';
import {
  PyFloat,
  PyTuple,
  isFloat,
  isPlainObject,
  pyEquals,
  pyLen,
  pyRepr,
  pyStr,
  toNumber,
  tuple,
} from './values.ts';

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

/** `dict.keys()` / `dict.values()` / `dict.items()` views. */
export class PyDictView {
  constructor(
    public readonly kind: 'keys' | 'values' | 'items',
    public readonly dict: Record<string, unknown> | Map<unknown, unknown>,
  ) {}
  *[Symbol.iterator](): Iterator<unknown> {
    for (const [k, v] of dictEntries(this.dict)) {
      if (this.kind === 'keys') yield k;
      else if (this.kind === 'values') yield v;
      else yield tuple(k, v);
    }
  }
  __len__(): number {
    return dictSize(this.dict);
  }
  __contains__(x: unknown): boolean {
    if (this.kind === 'keys') return dictLookup(this.dict, x).found;
    for (const item of this) if (pyEquals(item, x)) return true;
    return false;
  }
  __pyStr__(): string {
    return `dict_${this.kind}(${pyStr([...this])})`;
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
  if (v instanceof PyDictView) return `dict_${v.kind}`;
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

// ---------------------------------------------------------------------------------------------
// Dicts (plain objects with string keys, or Maps for other key types)
// ---------------------------------------------------------------------------------------------

export function dictEntries(d: Record<string, unknown> | Map<unknown, unknown>): Array<[unknown, unknown]> {
  return d instanceof Map ? [...d.entries()] : Object.entries(d);
}
export function dictSize(d: Record<string, unknown> | Map<unknown, unknown>): number {
  return d instanceof Map ? d.size : Object.keys(d).length;
}
/** Looks `key` up with Python equality (1 == 1.0 == True). */
export function dictLookup(
  d: Record<string, unknown> | Map<unknown, unknown>,
  key: unknown,
): { found: boolean; value?: unknown; key?: unknown } {
  checkHashable(key);
  if (d instanceof Map) {
    if (d.has(key)) return { found: true, value: d.get(key), key };
    for (const [k, v] of d) if (pyEquals(k, key)) return { found: true, value: v, key: k };
    return { found: false };
  }
  if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(d, key)) return { found: true, value: d[key], key };
  return { found: false };
}
export function dictSet(d: Record<string, unknown> | Map<unknown, unknown>, key: unknown, value: unknown): void {
  checkHashable(key);
  if (d instanceof Map) {
    const hit = dictLookup(d, key);
    d.set(hit.found ? hit.key : key, value);
    return;
  }
  if (typeof key !== 'string') throw typeError(`cannot store non-string key ${pyRepr(key)} in this dict`);
  Object.defineProperty(d, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Builds a Python dict from key/value pairs (duplicate keys: last value wins, first position).
 * A plain object when every key is a string whose position JS would keep (not an array index);
 * otherwise a Map, which keeps Python's insertion order for any key type.
 */
export function makeDict(pairs: Array<[unknown, unknown]>): Record<string, unknown> | Map<unknown, unknown> {
  const plain = pairs.every(([k]) => typeof k === 'string' && !/^(0|[1-9]\d{0,9})$/.test(k));
  if (plain) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) dictSet(o, k, v);
    return o;
  }
  const m = new Map<unknown, unknown>();
  for (const [k, v] of pairs) dictSet(m, k, v);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Code-point string helpers
// ---------------------------------------------------------------------------------------------

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of `s` as strings (fast path: the string itself when it has no surrogates). */
function cps(s: string): string[] | string {
  return SURROGATE.test(s) ? Array.from(s) : s;
}

/** Python whitespace (str.isspace / str.split() / str.strip()). */
export const PY_WHITESPACE =
  '\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const WS_SET = new Set(PY_WHITESPACE);
export function isPyWhitespace(ch: string): boolean {
  return WS_SET.has(ch);
}

/** Python line boundaries for str.splitlines(). */
const LINE_BREAKS = new Set(['\n', '\r', '\u000b', '\u000c', '\u001c', '\u001d', '\u001e', '\u0085', '\u2028', '\u2029']);

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

/** Python `seq[slice]` for str, list and tuple (returns the same kind). */
export function pySliceOf(seq: string | unknown[], sl: PySlice): string | unknown[] {
  if (typeof seq === 'string') {
    const c = cps(seq);
    const idx = sliceIndices(c.length, sl.start, sl.stop, sl.step);
    if (typeof c === 'string' && (sl.step === null || sl.step === undefined || sl.step === 1)) {
      return idx.length ? seq.slice(idx[0], idx[idx.length - 1] + 1) : '';
    }
    let out = '';
    for (const i of idx) out += c[i];
    return out;
  }
  const idx = sliceIndices(seq.length, sl.start, sl.stop, sl.step);
  const items = idx.map((i) => seq[i]);
  if (seq instanceof PyTuple) return tuple(...items);
  return items;
}

/** Adjusts optional start/end arguments of find/count/startswith like Python (code points). */
function subRange(s: string, start: unknown, end: unknown): { text: string; offset: number } {
  const c = cps(s);
  const n = c.length;
  const adj = (v: unknown, dflt: number) => {
    if (v === null || v === undefined) return dflt;
    let i = toIndex(v);
    if (i < 0) i = Math.max(0, i + n);
    return Math.min(i, n);
  };
  const a = adj(start, 0);
  const b = adj(end, n);
  if (a > b) return { text: '', offset: -1 };
  const text = typeof c === 'string' ? s.slice(a, b) : c.slice(a, b).join('');
  return { text, offset: a };
}

/** Converts a UTF-16 index inside `s` into a code point index. */
function cpIndex(s: string, utf16: number): number {
  if (!SURROGATE.test(s)) return utf16;
  return pyLen(s.slice(0, utf16));
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean, fname: string): string {
  let set: Set<string>;
  if (chars === null || chars === undefined) set = WS_SET;
  else if (typeof chars === 'string') set = new Set(chars);
  else throw typeError(`${fname} arg must be None or str`);
  const c = Array.from(s);
  let a = 0;
  let b = c.length;
  if (left) while (a < b && set.has(c[a])) a++;
  if (right) while (b > a && set.has(c[b - 1])) b--;
  return a === 0 && b === c.length ? s : c.slice(a, b).join('');
}

/** Python `str.split(sep=None, maxsplit=-1)`. */
export function pySplit(s: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  let max = maxsplit === null || maxsplit === undefined ? -1 : toIndex(maxsplit, 'maxsplit');
  if (max < 0) max = Infinity;
  if (sep === null || sep === undefined) {
    const c = Array.from(s);
    const out: string[] = [];
    let i = 0;
    while (true) {
      while (i < c.length && WS_SET.has(c[i])) i++;
      if (i >= c.length) break;
      if (out.length >= max) {
        // the remainder keeps its trailing whitespace
        out.push(c.slice(i).join(''));
        break;
      }
      let j = i;
      while (j < c.length && !WS_SET.has(c[j])) j++;
      out.push(c.slice(i, j).join(''));
      i = j;
    }
    return out;
  }
  if (typeof sep !== 'string') throw typeError(`must be str or None, not ${pyTypeName(sep)}`);
  if (sep === '') throw valueError('empty separator');
  const out: string[] = [];
  let pos = 0;
  while (out.length < max) {
    const k = s.indexOf(sep, pos);
    if (k < 0) break;
    out.push(s.slice(pos, k));
    pos = k + sep.length;
  }
  out.push(s.slice(pos));
  return out;
}

/** Python `str.rsplit(sep=None, maxsplit=-1)`. */
export function pyRSplit(s: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  let max = maxsplit === null || maxsplit === undefined ? -1 : toIndex(maxsplit, 'maxsplit');
  if (max < 0) max = Infinity;
  if (sep === null || sep === undefined) {
    const c = Array.from(s);
    const out: string[] = [];
    let i = c.length;
    while (true) {
      while (i > 0 && WS_SET.has(c[i - 1])) i--;
      if (i <= 0) break;
      if (out.length >= max) {
        out.push(c.slice(0, i).join(''));
        break;
      }
      let j = i;
      while (j > 0 && !WS_SET.has(c[j - 1])) j--;
      out.push(c.slice(j, i).join(''));
      i = j;
    }
    return out.reverse();
  }
  if (typeof sep !== 'string') throw typeError(`must be str or None, not ${pyTypeName(sep)}`);
  if (sep === '') throw valueError('empty separator');
  const out: string[] = [];
  let end = s.length;
  while (out.length < max) {
    const k = end - sep.length < 0 ? -1 : s.lastIndexOf(sep, end - sep.length);
    if (k < 0) break;
    out.push(s.slice(k + sep.length, end));
    end = k;
  }
  out.push(s.slice(0, end));
  return out.reverse();
}

/** Python `str.replace(old, new, count=-1)`. */
export function pyReplace(s: string, old: string, rep: string, count = -1): string {
  if (count < 0) count = Infinity;
  if (old === '') {
    const c = Array.from(s);
    let out = '';
    let n = 0;
    for (let i = 0; i <= c.length; i++) {
      if (n < count) {
        out += rep;
        n++;
      }
      if (i < c.length) out += c[i];
    }
    return out;
  }
  if (count === Infinity) return s.split(old).join(rep);
  let out = '';
  let pos = 0;
  let n = 0;
  while (n < count) {
    const k = s.indexOf(old, pos);
    if (k < 0) break;
    out += s.slice(pos, k) + rep;
    pos = k + old.length;
    n++;
  }
  return out + s.slice(pos);
}

/** Python `str.splitlines(keepends=False)`. */
export function pySplitLines(s: string, keepends = false): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (LINE_BREAKS.has(ch)) {
      let eol = i + 1;
      if (ch === '\r' && s[i + 1] === '\n') eol = i + 2;
      out.push(s.slice(start, keepends ? eol : i));
      start = eol;
      i = eol;
    } else i++;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

// Unicode categories used by the str.is*() predicates.
const RE_ALPHA = /^\p{L}$/u;
const RE_DECIMAL = /^\p{Nd}$/u;
const RE_NUMERIC = /^\p{N}$/u;
const RE_CASED = /^[\p{Lowercase}\p{Uppercase}\p{Lt}]$/u;
const RE_LOWER = /^\p{Lowercase}$/u;
const RE_UPPER = /^[\p{Uppercase}\p{Lt}]$/u;
const RE_UPPER_ONLY = /^\p{Uppercase}$/u;
const RE_TITLECASE = /^\p{Lt}$/u;
const RE_PRINTABLE_BAD = /^[\p{C}\p{Zl}\p{Zp}\p{Zs}]$/u;
// Characters with Numeric_Type=Digit (not decimal): superscripts, circled digits, … (isdigit).
const DIGIT_EXTRA =
  /^[\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u{10a40}-\u{10a43}\u{1f100}-\u{1f10a}]$/u;
// Han characters with a numeric value (Numeric_Type=Numeric, counted by isnumeric()).
const HAN_NUMERIC = new Set('〇零一二三四五六七八九十百千万萬億兆壱弐参拾佰仟廿卅卌');

function isDigitChar(ch: string): boolean {
  return RE_DECIMAL.test(ch) || DIGIT_EXTRA.test(ch);
}
function isNumericChar(ch: string): boolean {
  return RE_NUMERIC.test(ch) || HAN_NUMERIC.has(ch);
}
function isAlnumChar(ch: string): boolean {
  return RE_ALPHA.test(ch) || isNumericChar(ch);
}
function allChars(s: string, pred: (ch: string) => boolean): boolean {
  if (s === '') return false;
  for (const ch of s) if (!pred(ch)) return false;
  return true;
}

// Characters whose titlecase differs from their uppercase (Python uses titlecase in title()/capitalize()).
const TITLE_MAP: Record<string, string> = {
  '\u01c4': '\u01c5', '\u01c5': '\u01c5', '\u01c6': '\u01c5',
  '\u01c7': '\u01c8', '\u01c8': '\u01c8', '\u01c9': '\u01c8',
  '\u01ca': '\u01cb', '\u01cb': '\u01cb', '\u01cc': '\u01cb',
  '\u01f1': '\u01f2', '\u01f2': '\u01f2', '\u01f3': '\u01f2',
  '\u00df': 'Ss', '\ufb00': 'Ff', '\ufb01': 'Fi', '\ufb02': 'Fl', '\ufb03': 'Ffi', '\ufb04': 'Ffl', '\ufb05': 'St', '\ufb06': 'St',
};
function titleChar(ch: string): string {
  return TITLE_MAP[ch] ?? ch.toUpperCase();
}

/** Python `str.title()`: a cased char after an uncased one is titlecased, others lowercased. */
export function pyTitle(s: string): string {
  let out = '';
  let prevCased = false;
  for (const ch of s) {
    const c = prevCased ? ch.toLowerCase() : titleChar(ch);
    out += c;
    prevCased = RE_CASED.test(ch);
  }
  return out;
}

/** Python `str.capitalize()` (3.8+: first char titlecased, rest lowercased). */
export function pyCapitalize(s: string): string {
  const c = Array.from(s);
  if (!c.length) return s;
  return titleChar(c[0]) + c.slice(1).join('').toLowerCase();
}

function pad(s: string, width: number, fill: string, align: '<' | '>' | '^'): string {
  const n = pyLen(s);
  if (width <= n) return s;
  const marg = width - n;
  if (align === '<') return s + fill.repeat(marg);
  if (align === '>') return fill.repeat(marg) + s;
  // CPython str.center: left = marg / 2 + (marg & width & 1)
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

function fillArg(v: unknown, fname: string): string {
  if (v === null || v === undefined) return ' ';
  if (typeof v !== 'string' || pyLen(v) !== 1) throw typeError(`${fname}() argument 2 must be a unicode character, not ${pyTypeName(v)}`);
  return v;
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

function strArg(v: unknown, fname: string, pos = 1): string {
  if (typeof v !== 'string') throw typeError(`${fname}() argument ${pos} must be str, not ${pyTypeName(v)}`);
  return v;
}

function optInt(v: unknown, dflt: number): number {
  return v === undefined || v === null ? dflt : toIndex(v, 'integer argument');
}

function prefixMatch(
  s: string,
  prefix: unknown,
  start: unknown,
  end: unknown,
  fname: string,
  test: (text: string, p: string) => boolean,
): boolean {
  const { text, offset } = subRange(s, start, end);
  const check = (p: unknown) => {
    if (typeof p !== 'string') {
      throw typeError(`tuple for ${fname} must only contain str, not ${pyTypeName(p)}`);
    }
    return offset >= 0 && test(text, p);
  };
  if (prefix instanceof PyTuple) return prefix.some(check);
  if (typeof prefix !== 'string') {
    throw typeError(`${fname} first arg must be str or a tuple of str, not ${pyTypeName(prefix)}`);
  }
  return check(prefix);
}

function findIn(s: string, sub: unknown, start: unknown, end: unknown, fname: string, reverse: boolean): number {
  const needle = strArg(sub, fname);
  const { text, offset } = subRange(s, start, end);
  if (offset < 0) return -1;
  const k = reverse ? text.lastIndexOf(needle) : text.indexOf(needle);
  if (k < 0) return -1;
  return offset + cpIndex(text, k);
}

function countIn(s: string, sub: unknown, start: unknown, end: unknown): number {
  const needle = strArg(sub, 'count');
  const { text, offset } = subRange(s, start, end);
  if (offset < 0) return 0;
  if (needle === '') return pyLen(text) + 1;
  let n = 0;
  let pos = 0;
  while (true) {
    const k = text.indexOf(needle, pos);
    if (k < 0) return n;
    n++;
    pos = k + needle.length;
  }
}

/** Python `sep.join(iterable)`: every item must be a str. */
export function pyJoin(sep: string, iterable: unknown): string {
  const items = pyList(iterable);
  items.forEach((x, i) => {
    if (typeof x !== 'string') throw typeError(`sequence item ${i}: expected str instance, ${pyTypeName(x)} found`);
  });
  return (items as string[]).join(sep);
}

// ---------------------------------------------------------------------------------------------
// str methods
// ---------------------------------------------------------------------------------------------

const STR_METHODS: Record<string, (s: string, a: unknown[], k: Record<string, unknown>) => unknown> = {
  strip: (s, a, k) => stripChars(s, bindArgs('strip', { params: ['chars'] }, a, k)[0], true, true, 'strip'),
  lstrip: (s, a, k) => stripChars(s, bindArgs('lstrip', { params: ['chars'] }, a, k)[0], true, false, 'lstrip'),
  rstrip: (s, a, k) => stripChars(s, bindArgs('rstrip', { params: ['chars'] }, a, k)[0], false, true, 'rstrip'),
  split: (s, a, k) => {
    const [sep, max] = bindArgs('split', { params: ['sep', 'maxsplit'], kw: true }, a, k);
    return pySplit(s, sep ?? null, max ?? -1);
  },
  rsplit: (s, a, k) => {
    const [sep, max] = bindArgs('rsplit', { params: ['sep', 'maxsplit'], kw: true }, a, k);
    return pyRSplit(s, sep ?? null, max ?? -1);
  },
  splitlines: (s, a, k) => {
    const [keep] = bindArgs('splitlines', { params: ['keepends'], kw: true }, a, k);
    return pySplitLines(s, keep !== undefined && Boolean(keep !== null && keep !== false && keep !== 0));
  },
  replace: (s, a, k) => {
    const [old, rep, count] = bindArgs('replace', { params: ['old', 'new', 'count'], required: 2 }, a, k);
    return pyReplace(s, strArg(old, 'replace', 1), strArg(rep, 'replace', 2), optInt(count, -1));
  },
  find: (s, a, k) => {
    const [sub, st, en] = bindArgs('find', { params: ['sub', 'start', 'end'], required: 1 }, a, k);
    return findIn(s, sub, st, en, 'find', false);
  },
  rfind: (s, a, k) => {
    const [sub, st, en] = bindArgs('rfind', { params: ['sub', 'start', 'end'], required: 1 }, a, k);
    return findIn(s, sub, st, en, 'rfind', true);
  },
  index: (s, a, k) => {
    const [sub, st, en] = bindArgs('index', { params: ['sub', 'start', 'end'], required: 1 }, a, k);
    const i = findIn(s, sub, st, en, 'index', false);
    if (i < 0) throw valueError('substring not found');
    return i;
  },
  rindex: (s, a, k) => {
    const [sub, st, en] = bindArgs('rindex', { params: ['sub', 'start', 'end'], required: 1 }, a, k);
    const i = findIn(s, sub, st, en, 'rindex', true);
    if (i < 0) throw valueError('substring not found');
    return i;
  },
  count: (s, a, k) => {
    const [sub, st, en] = bindArgs('count', { params: ['sub', 'start', 'end'], required: 1 }, a, k);
    return countIn(s, sub, st, en);
  },
  startswith: (s, a, k) => {
    const [p, st, en] = bindArgs('startswith', { params: ['prefix', 'start', 'end'], required: 1 }, a, k);
    return prefixMatch(s, p, st, en, 'startswith', (t, x) => t.startsWith(x));
  },
  endswith: (s, a, k) => {
    const [p, st, en] = bindArgs('endswith', { params: ['suffix', 'start', 'end'], required: 1 }, a, k);
    return prefixMatch(s, p, st, en, 'endswith', (t, x) => t.endsWith(x));
  },
  join: (s, a, k) => pyJoin(s, bindArgs('join', { params: ['iterable'], required: 1 }, a, k)[0]),
  upper: (s, a, k) => (bindArgs('upper', { params: [] }, a, k), s.toUpperCase()),
  lower: (s, a, k) => (bindArgs('lower', { params: [] }, a, k), s.toLowerCase()),
  casefold: (s, a, k) => (bindArgs('casefold', { params: [] }, a, k), s.toLowerCase().replace(/ß/g, 'ss')),
  swapcase: (s, a, k) => {
    bindArgs('swapcase', { params: [] }, a, k);
    let out = '';
    // Py_UNICODE_ISUPPER / ISLOWER: titlecase letters (ǅ) are neither and stay unchanged
    for (const ch of s) out += RE_UPPER_ONLY.test(ch) ? ch.toLowerCase() : RE_LOWER.test(ch) ? ch.toUpperCase() : ch;
    return out;
  },
  capitalize: (s, a, k) => (bindArgs('capitalize', { params: [] }, a, k), pyCapitalize(s)),
  title: (s, a, k) => (bindArgs('title', { params: [] }, a, k), pyTitle(s)),
  center: (s, a, k) => {
    const [w, f] = bindArgs('center', { params: ['width', 'fillchar'], required: 1 }, a, k);
    return pad(s, toIndex(w, 'width'), fillArg(f, 'center'), '^');
  },
  ljust: (s, a, k) => {
    const [w, f] = bindArgs('ljust', { params: ['width', 'fillchar'], required: 1 }, a, k);
    return pad(s, toIndex(w, 'width'), fillArg(f, 'ljust'), '<');
  },
  rjust: (s, a, k) => {
    const [w, f] = bindArgs('rjust', { params: ['width', 'fillchar'], required: 1 }, a, k);
    return pad(s, toIndex(w, 'width'), fillArg(f, 'rjust'), '>');
  },
  zfill: (s, a, k) => {
    const width = toIndex(bindArgs('zfill', { params: ['width'], required: 1 }, a, k)[0], 'width');
    const n = pyLen(s);
    if (n >= width) return s;
    const fill = '0'.repeat(width - n);
    if (s[0] === '+' || s[0] === '-') return s[0] + fill + s.slice(1);
    return fill + s;
  },
  partition: (s, a, k) => {
    const sep = strArg(bindArgs('partition', { params: ['sep'], required: 1 }, a, k)[0], 'partition');
    if (sep === '') throw valueError('empty separator');
    const i = s.indexOf(sep);
    return i < 0 ? tuple(s, '', '') : tuple(s.slice(0, i), sep, s.slice(i + sep.length));
  },
  rpartition: (s, a, k) => {
    const sep = strArg(bindArgs('rpartition', { params: ['sep'], required: 1 }, a, k)[0], 'rpartition');
    if (sep === '') throw valueError('empty separator');
    const i = s.lastIndexOf(sep);
    return i < 0 ? tuple('', '', s) : tuple(s.slice(0, i), sep, s.slice(i + sep.length));
  },
  removeprefix: (s, a, k) => {
    const p = strArg(bindArgs('removeprefix', { params: ['prefix'], required: 1 }, a, k)[0], 'removeprefix');
    return p && s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix: (s, a, k) => {
    const p = strArg(bindArgs('removesuffix', { params: ['suffix'], required: 1 }, a, k)[0], 'removesuffix');
    return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  expandtabs: (s, a, k) => {
    const ts = optInt(bindArgs('expandtabs', { params: ['tabsize'], kw: true }, a, k)[0], 8);
    let out = '';
    let col = 0;
    for (const ch of s) {
      if (ch === '\t') {
        if (ts > 0) {
          const n = ts - (col % ts);
          out += ' '.repeat(n);
          col += n;
        }
      } else {
        out += ch;
        col = ch === '\n' || ch === '\r' ? 0 : col + 1;
      }
    }
    return out;
  },
  format: (s, a, k) => pyFormat(s, a, k),
  format_map: (s, a, k) => {
    const [m] = bindArgs('format_map', { params: ['mapping'], required: 1 }, a, k);
    if (!isPlainObject(m)) throw typeError(`format_map() argument must be a mapping, not ${pyTypeName(m)}`);
    return pyFormat(s, [], m);
  },
  isdigit: (s, a, k) => (bindArgs('isdigit', { params: [] }, a, k), allChars(s, isDigitChar)),
  isdecimal: (s, a, k) => (bindArgs('isdecimal', { params: [] }, a, k), allChars(s, (c) => RE_DECIMAL.test(c))),
  isnumeric: (s, a, k) => (bindArgs('isnumeric', { params: [] }, a, k), allChars(s, isNumericChar)),
  isalpha: (s, a, k) => (bindArgs('isalpha', { params: [] }, a, k), allChars(s, (c) => RE_ALPHA.test(c))),
  isalnum: (s, a, k) => (bindArgs('isalnum', { params: [] }, a, k), allChars(s, isAlnumChar)),
  isspace: (s, a, k) => (bindArgs('isspace', { params: [] }, a, k), allChars(s, isPyWhitespace)),
  isascii: (s, a, k) => (bindArgs('isascii', { params: [] }, a, k), /^[\x00-\x7f]*$/.test(s)),
  isprintable: (s, a, k) => {
    bindArgs('isprintable', { params: [] }, a, k);
    for (const ch of s) if (ch !== ' ' && RE_PRINTABLE_BAD.test(ch)) return false;
    return true;
  },
  isidentifier: (s, a, k) => (bindArgs('isidentifier', { params: [] }, a, k), /^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(s)),
  islower: (s, a, k) => {
    bindArgs('islower', { params: [] }, a, k);
    let cased = false;
    for (const ch of s) {
      if (RE_UPPER.test(ch)) return false;
      if (RE_LOWER.test(ch)) cased = true;
    }
    return cased;
  },
  isupper: (s, a, k) => {
    bindArgs('isupper', { params: [] }, a, k);
    let cased = false;
    for (const ch of s) {
      if (RE_LOWER.test(ch) || RE_TITLECASE.test(ch)) return false;
      if (RE_UPPER.test(ch)) cased = true;
    }
    return cased;
  },
  istitle: (s, a, k) => {
    bindArgs('istitle', { params: [] }, a, k);
    let cased = false;
    let prevCased = false;
    for (const ch of s) {
      if (RE_UPPER.test(ch)) {
        if (prevCased) return false;
        prevCased = cased = true;
      } else if (RE_LOWER.test(ch)) {
        if (!prevCased) return false;
        prevCased = cased = true;
      } else prevCased = false;
    }
    return cased;
  },
};

// ---------------------------------------------------------------------------------------------
// list / tuple / dict methods
// ---------------------------------------------------------------------------------------------

function seqIndex(seq: unknown[], a: unknown[], k: Record<string, unknown>, kind: string): number {
  const [x, st, en] = bindArgs('index', { params: ['value', 'start', 'stop'], required: 1 }, a, k);
  const n = seq.length;
  const adj = (v: unknown, d: number) => {
    if (v === undefined || v === null) return d;
    let i = toIndex(v);
    if (i < 0) i = Math.max(0, i + n);
    return Math.min(i, n);
  };
  for (let i = adj(st, 0); i < adj(en, n); i++) if (pyEquals(seq[i], x)) return i;
  throw valueError(kind === 'tuple' ? 'tuple.index(x): x not in tuple' : `${pyRepr(x)} is not in list`);
}

function seqCount(seq: unknown[], a: unknown[], k: Record<string, unknown>): number {
  const [x] = bindArgs('count', { params: ['value'], required: 1 }, a, k);
  return seq.filter((y) => pyEquals(y, x)).length;
}

/** Python ordering used by list.sort()/sorted(): numbers, strings (by code point), sequences. */
export function pyCompareValues(a: unknown, b: unknown): number {
  const num = (v: unknown) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof PyFloat;
  if (num(a) && num(b)) {
    if ((typeof a === 'bigint' || typeof b === 'bigint') && isIntLike(a) && isIntLike(b)) {
      const big = (v: number | bigint | boolean) => (typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v));
      const x = big(a);
      const y = big(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const x = toNumber(a);
    const y = toNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (Array.isArray(a) && Array.isArray(b) && (a instanceof PyTuple) === (b instanceof PyTuple)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (pyEquals(a[i], b[i])) continue;
      return pyCompareValues(a[i], b[i]);
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  throw typeError(`'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Compares strings by code point (Python order), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d < 0 ? -1 : 1;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

const LIST_METHODS: Record<string, (l: unknown[], a: unknown[], k: Record<string, unknown>) => unknown> = {
  index: (l, a, k) => seqIndex(l, a, k, 'list'),
  count: (l, a, k) => seqCount(l, a, k),
  append: (l, a, k) => {
    l.push(bindArgs('append', { params: ['object'], required: 1 }, a, k)[0]);
    return null;
  },
  extend: (l, a, k) => {
    l.push(...pyList(bindArgs('extend', { params: ['iterable'], required: 1 }, a, k)[0]));
    return null;
  },
  insert: (l, a, k) => {
    const [i, x] = bindArgs('insert', { params: ['index', 'object'], required: 2 }, a, k);
    let idx = toIndex(i);
    if (idx < 0) idx = Math.max(0, idx + l.length);
    l.splice(Math.min(idx, l.length), 0, x);
    return null;
  },
  pop: (l, a, k) => {
    const [i] = bindArgs('pop', { params: ['index'] }, a, k);
    if (!l.length) throw new PyException('IndexError', 'pop from empty list');
    let idx = optInt(i, -1);
    if (idx < 0) idx += l.length;
    if (idx < 0 || idx >= l.length) throw new PyException('IndexError', 'pop index out of range');
    return l.splice(idx, 1)[0];
  },
  remove: (l, a, k) => {
    const [x] = bindArgs('remove', { params: ['value'], required: 1 }, a, k);
    const i = l.findIndex((y) => pyEquals(y, x));
    if (i < 0) throw valueError('list.remove(x): x not in list');
    l.splice(i, 1);
    return null;
  },
  reverse: (l, a, k) => {
    bindArgs('reverse', { params: [] }, a, k);
    l.reverse();
    return null;
  },
  sort: (l, a, k) => {
    if (a.length) throw typeError('sort() takes no positional arguments');
    for (const key of Object.keys(k)) {
      if (key !== 'reverse' && key !== 'key') throw typeError(`sort() got an unexpected keyword argument '${key}'`);
    }
    const keyFn = k.key as { __call__?: (a: unknown[], k: Record<string, unknown>) => unknown } | null | undefined;
    const keyed = l.map((v) => [keyFn && keyFn.__call__ ? keyFn.__call__([v], {}) : v, v] as const);
    const rev = Boolean(k.reverse);
    keyed.sort((x, y) => (rev ? -1 : 1) * pyCompareValues(x[0], y[0]));
    l.splice(0, l.length, ...keyed.map((x) => x[1]));
    return null;
  },
  copy: (l, a, k) => (bindArgs('copy', { params: [] }, a, k), [...l]),
  clear: (l, a, k) => {
    bindArgs('clear', { params: [] }, a, k);
    l.length = 0;
    return null;
  },
};

const TUPLE_METHODS: Record<string, (l: unknown[], a: unknown[], k: Record<string, unknown>) => unknown> = {
  index: (l, a, k) => seqIndex(l, a, k, 'tuple'),
  count: (l, a, k) => seqCount(l, a, k),
};

type Dict = Record<string, unknown> | Map<unknown, unknown>;

const DICT_METHODS: Record<string, (d: Dict, a: unknown[], k: Record<string, unknown>) => unknown> = {
  items: (d, a, k) => (bindArgs('items', { params: [] }, a, k), new PyDictView('items', d)),
  keys: (d, a, k) => (bindArgs('keys', { params: [] }, a, k), new PyDictView('keys', d)),
  values: (d, a, k) => (bindArgs('values', { params: [] }, a, k), new PyDictView('values', d)),
  get: (d, a, k) => {
    const [key, dflt] = bindArgs('get', { params: ['key', 'default'], required: 1 }, a, k);
    const hit = dictLookup(d, key);
    return hit.found ? hit.value : (dflt ?? null);
  },
  pop: (d, a, k) => {
    const [key, dflt] = bindArgs('pop', { params: ['key', 'default'], required: 1 }, a, k);
    const hit = dictLookup(d, key);
    if (!hit.found) {
      if (a.length >= 2) return dflt;
      throw new PyException('KeyError', pyRepr(key));
    }
    if (d instanceof Map) d.delete(hit.key);
    else delete d[hit.key as string];
    return hit.value;
  },
  setdefault: (d, a, k) => {
    const [key, dflt] = bindArgs('setdefault', { params: ['key', 'default'], required: 1 }, a, k);
    const hit = dictLookup(d, key);
    if (hit.found) return hit.value;
    dictSet(d, key, dflt ?? null);
    return dflt ?? null;
  },
  update: (d, a, k) => {
    if (a.length > 1) throw typeError(`update expected at most 1 argument, got ${a.length}`);
    if (a.length) {
      const src = a[0];
      if (isDict(src)) for (const [key, v] of dictEntries(src)) dictSet(d, key, v);
      else {
        for (const item of pyIter(src)) {
          const pair = pyList(item);
          if (pair.length !== 2) throw valueError('dictionary update sequence element has wrong length');
          dictSet(d, pair[0], pair[1]);
        }
      }
    }
    for (const [key, v] of Object.entries(k)) dictSet(d, key, v);
    return null;
  },
  copy: (d, a, k) => (bindArgs('copy', { params: [] }, a, k), d instanceof Map ? new Map(d) : { ...d }),
  clear: (d, a, k) => {
    bindArgs('clear', { params: [] }, a, k);
    if (d instanceof Map) d.clear();
    else for (const key of Object.keys(d)) delete d[key];
    return null;
  },
};

const NUMBER_ATTRS: Record<string, (n: unknown) => unknown> = {
  real: (n) => (typeof n === 'boolean' ? (n ? 1 : 0) : n),
  imag: (n) => (isFloat(n) ? new PyFloat(0) : 0),
};

/**
 * Python `getattr(obj, name)` for the built-in types: bound methods of str/list/tuple/dict, a
 * few numeric attributes, and objects that define `__pyattr__(name)`. Returns `{ found: false }`
 * where Python raises AttributeError.
 */
export function pyGetAttr(obj: unknown, name: string): { found: boolean; value?: unknown } {
  const own = <T>(table: Record<string, T>) => Object.prototype.hasOwnProperty.call(table, name);
  if (typeof obj === 'string') {
    if (own(STR_METHODS)) {
      const m = STR_METHODS[name];
      return { found: true, value: new PyBoundMethod(obj, name, (a, k) => m(obj, a, k)) };
    }
    return { found: false };
  }
  if (Array.isArray(obj)) {
    const table = obj instanceof PyTuple ? TUPLE_METHODS : LIST_METHODS;
    if (own(table)) {
      const m = table[name];
      return { found: true, value: new PyBoundMethod(obj, name, (a, k) => m(obj, a, k)) };
    }
    return { found: false };
  }
  if (isDict(obj)) {
    if (own(DICT_METHODS)) {
      const m = DICT_METHODS[name];
      return { found: true, value: new PyBoundMethod(obj, name, (a, k) => m(obj, a, k)) };
    }
    return { found: false };
  }
  if (typeof obj === 'number' || typeof obj === 'boolean' || typeof obj === 'bigint' || obj instanceof PyFloat) {
    if (own(NUMBER_ATTRS)) return { found: true, value: NUMBER_ATTRS[name](obj) };
    if (name === 'is_integer' && isFloat(obj)) {
      return { found: true, value: new PyBoundMethod(obj, name, () => Number.isInteger(toNumber(obj))) };
    }
    return { found: false };
  }
  if (obj instanceof PyRange && (name === 'start' || name === 'stop' || name === 'step')) {
    return { found: true, value: obj[name] };
  }
  if (obj !== null && typeof obj === 'object') {
    const hook = (obj as { __pyattr__?: (n: string) => { found: boolean; value?: unknown } }).__pyattr__;
    if (typeof hook === 'function') return hook.call(obj, name);
  }
  return { found: false };
}

/** Python `obj[key]` (raises Python TypeError/KeyError/IndexError as PyException). */
export function pyGetItem(obj: unknown, key: unknown): unknown {
  if (typeof obj === 'string' || Array.isArray(obj) || obj instanceof PyRange) {
    if (key instanceof PySlice) {
      if (obj instanceof PyRange) {
        // range[slice] is a range again: range(5)[1:3] prints range(1, 3)
        const [a, b, st] = adjustSlice(obj.length, key.start, key.stop, key.step);
        return new PyRange(obj.start + a * obj.step, obj.start + b * obj.step, obj.step * st);
      }
      return pySliceOf(obj, key);
    }
    if (!isIntLike(key)) {
      const kind = typeof obj === 'string' ? 'string' : pyTypeName(obj);
      throw typeError(`${kind} indices must be integers${typeof obj === 'string' ? '' : ' or slices'}, not ${pyTypeName(key)}`);
    }
    let i = typeof key === 'boolean' ? (key ? 1 : 0) : Number(key);
    if (typeof obj === 'string') {
      const c = cps(obj);
      if (i < 0) i += c.length;
      if (i < 0 || i >= c.length) throw new PyException('IndexError', 'string index out of range');
      return c[i];
    }
    const len = obj instanceof PyRange ? obj.length : obj.length;
    if (i < 0) i += len;
    if (i < 0 || i >= len) throw new PyException('IndexError', `${pyTypeName(obj)} index out of range`);
    return obj instanceof PyRange ? obj.at(i) : obj[i];
  }
  if (isDict(obj)) {
    const hit = dictLookup(obj, key);
    if (!hit.found) throw new PyException('KeyError', pyRepr(key));
    return hit.value === undefined ? null : hit.value;
  }
  if (obj !== null && typeof obj === 'object') {
    const hook = (obj as { __getitem__?: (k: unknown) => unknown }).__getitem__;
    if (typeof hook === 'function') return hook.call(obj, key);
  }
  throw typeError(`'${pyTypeName(obj)}' object is not subscriptable`);
}

/** The str methods available (for tests and error messages). */
export const STR_METHOD_NAMES: readonly string[] = Object.keys(STR_METHODS);
