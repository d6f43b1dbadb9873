/**
 * Runtime semantics of Jinja2 over Python values (values.ts model): StrictUndefined, attribute
 * and item lookup, Python operators, truthiness, calls, loop/namespace objects and globals.
 */
import { PyBoundMethod, PyException, PyRange, isDict, isIntLike, isList, pyIter, pyList, pyToStr, pyTypeName, typeError, valueError } from '../python/types.ts';
import { pyGetAttr, pyGetItem } from '../python/methods.ts';
import { compareCodePoints } from '../python/values.ts';
import { makeDict, dictEntries, dictLookup } from '../python/collections.ts';
import { pyPercentFormat } from '../python/format.ts';
import { PyFloat, PyTuple, isFloat, isPlainObject, pyEquals, pyRepr, pyTruthy, tuple } from '../python/values.ts';
import { UndefinedError } from './errors.ts';

// ---------------------------------------------------------------------------------------------
// StrictUndefined
// ---------------------------------------------------------------------------------------------

const MISSING = Symbol('missing');

/** `type(obj)` as Jinja names it in undefined messages ("dict object", "None"). */
function objectTypeRepr(obj: unknown): string {
  if (obj === null || obj === undefined) return 'None';
  return `${pyTypeName(obj)} object`;
}

/**
 * Jinja's StrictUndefined: every use (str, bool, len, iteration, arithmetic, comparison,
 * attribute access, calls) raises UndefinedError; only the `defined`/`undefined` tests, the
 * `default` filter and repr() inside containers (prints `Undefined`) are safe.
 */
export class Undef {
  readonly __pyTypeName__: string = 'StrictUndefined';
  constructor(
    readonly hint: string | null,
    readonly obj: unknown = MISSING,
    readonly name: unknown = undefined,
  ) {}
  message(): string {
    if (this.hint) return this.hint;
    if (this.obj === MISSING) return `${pyRepr(this.name)} is undefined`;
    if (typeof this.name !== 'string') return `${objectTypeRepr(this.obj)} has no element ${pyRepr(this.name)}`;
    return `${pyRepr(objectTypeRepr(this.obj))} has no attribute ${pyRepr(this.name)}`;
  }
  fail(): never {
    throw new UndefinedError(this.message());
  }
  __str__(): string {
    return this.fail();
  }
  __format__(): string {
    return this.fail();
  }
  __len__(): number {
    return this.fail();
  }
  __iter__(): Iterable<unknown> {
    return this.fail();
  }
  __getitem__(): unknown {
    return this.fail();
  }
  __pyattr__(): { found: boolean } {
    return this.fail();
  }
  __call__(): unknown {
    return this.fail();
  }
  /** repr(): what a container prints for an undefined element. */
  __pyStr__(): string {
    return 'Undefined';
  }
}

/**
 * The implicit else of `x if cond` (no else): Jinja always uses the lenient `Undefined` there,
 * even under StrictUndefined, so it prints '', is falsy, has length 0 and iterates as empty;
 * attribute/item access, calls and arithmetic still raise (check() fails on any Undef).
 */
export class LenientUndef extends Undef {
  override readonly __pyTypeName__: string = 'Undefined';
  override __str__(): string {
    return '';
  }
  override __format__(spec?: unknown): string {
    if (spec) throw typeError('unsupported format string passed to Undefined.__format__');
    return '';
  }
  override __len__(): number {
    return 0;
  }
  override __iter__(): Iterable<unknown> {
    return [];
  }
}

export function undefinedName(name: string): Undef {
  return new Undef(null, MISSING, name);
}

function check(v: unknown): void {
  if (v instanceof Undef) v.fail();
}

// ---------------------------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------------------------

function isLookupError(e: unknown): boolean {
  return e instanceof PyException && ['TypeError', 'KeyError', 'IndexError', 'AttributeError', 'LookupError'].includes(e.pyType);
}

/** Jinja `environment.getattr(obj, name)` (`a.b`): Python attribute first, then `a['b']`. */
export function getAttr(obj: unknown, name: string): unknown {
  check(obj);
  const hit = pyGetAttr(obj, name);
  if (hit.found) return hit.value;
  try {
    return pyGetItem(obj, name);
  } catch (e) {
    if (isLookupError(e)) return new Undef(null, obj, name);
    throw e;
  }
}

/** Jinja `environment.getitem(obj, key)` (`a[k]`): item first, then attribute for str keys. */
export function getItem(obj: unknown, key: unknown): unknown {
  check(obj);
  check(key);
  try {
    return pyGetItem(obj, key);
  } catch (e) {
    if (!isLookupError(e)) throw e;
    if (typeof key === 'string') {
      const hit = pyGetAttr(obj, key);
      if (hit.found) return hit.value;
    }
    return new Undef(null, obj, key);
  }
}

/**
 * `obj[a:b:c]`. Jinja compiles a slice subscript to a plain Python subscript, not to
 * `environment.getitem`, so failures raise (TypeError for bad bounds, unsubscriptable objects
 * and dicts — slices are unhashable in Python 3.11) instead of producing an Undefined.
 */
export function sliceItem(obj: unknown, sl: unknown): unknown {
  check(obj);
  if (isDict(obj)) throw typeError("unhashable type: 'slice'");
  return pyGetItem(obj, sl);
}

// ---------------------------------------------------------------------------------------------
// Truthiness, str, calls
// ---------------------------------------------------------------------------------------------

/** Python `bool(v)` (StrictUndefined raises). */
export function truthy(v: unknown): boolean {
  if (v instanceof LenientUndef) return false;
  if (v instanceof Undef) v.fail();
  if (v === null || v === undefined || typeof v !== 'object') return pyTruthy(v);
  if (Array.isArray(v) || isPlainObject(v) || v instanceof Map || v instanceof Set || v instanceof PyFloat) return pyTruthy(v);
  const len = (v as { __len__?: () => number }).__len__;
  if (typeof len === 'function') return len.call(v) > 0;
  return true;
}

/** Python `str(v)` for output and `~` (StrictUndefined raises). */
export function toStr(v: unknown): string {
  return pyToStr(v);
}

/** Calls a template value with Python arguments. */
export function callValue(fn: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown {
  check(fn);
  if (fn !== null && typeof fn === 'object') {
    const c = (fn as { __call__?: (a: unknown[], k: Record<string, unknown>) => unknown }).__call__;
    if (typeof c === 'function') return c.call(fn, args, kwargs);
  }
  if (typeof fn === 'function') return Object.keys(kwargs).length ? fn(...args, kwargs) : fn(...args);
  throw typeError(`'${pyTypeName(fn)}' object is not callable`);
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

type Num = { int: true; v: number | bigint } | { int: false; v: number };

function asNum(v: unknown): Num | null {
  if (typeof v === 'boolean') return { int: true, v: v ? 1 : 0 };
  if (typeof v === 'bigint') return { int: true, v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int: true, v } : { int: false, v };
  if (v instanceof PyFloat) return { int: false, v: v.value };
  return null;
}

/** Normalizes a bigint result to a JS number when it is safe. */
export function intResult(r: bigint): number | bigint {
  return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
}

function big(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

function floatResult(x: number): number | PyFloat {
  return Number.isInteger(x) ? new PyFloat(x) : x;
}

function unsupported(op: string, a: unknown, b: unknown): PyException {
  return typeError(`unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function intOp(a: number | bigint, b: number | bigint, f: (x: bigint, y: bigint) => bigint, g: (x: number, y: number) => number): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = g(a, b);
    if (Number.isSafeInteger(r)) return r;
  }
  return intResult(f(big(a), big(b)));
}

function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}
function modBig(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
}

/** CPython float divmod. */
function floatDivmod(vx: number, wx: number): [number, number] {
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod) {
    if ((wx < 0) !== (mod < 0)) {
      mod += wx;
      div -= 1;
    }
  } else mod = wx < 0 ? -0 : 0;
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else floordiv = vx / wx < 0 || Object.is(vx / wx, -0) ? -0 : 0;
  return [floordiv, mod];
}

function seqRepeat(seq: unknown, n: unknown): unknown {
  const times = Math.max(0, typeof n === 'boolean' ? (n ? 1 : 0) : Number(n));
  if (typeof seq === 'string') return seq.repeat(times);
  const arr = seq as unknown[];
  const out: unknown[] = [];
  for (let i = 0; i < times; i++) out.push(...arr);
  return seq instanceof PyTuple ? tuple(...out) : out;
}

function isSeq(v: unknown): boolean {
  return typeof v === 'string' || Array.isArray(v);
}

/** Python binary operators `+ - * / // % **`. */
export function binaryOp(op: string, a: unknown, b: unknown): unknown {
  check(a);
  check(b);
  const x = asNum(a);
  const y = asNum(b);
  switch (op) {
    case '+':
      if (x && y) return x.int && y.int ? intOp(x.v, y.v, (p, q) => p + q, (p, q) => p + q) : floatResult(Number(x.v) + Number(y.v));
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (isList(a) && isList(b)) return [...a, ...b];
      if (a instanceof PyTuple && b instanceof PyTuple) return tuple(...a, ...b);
      if (typeof a === 'string') throw typeError(`can only concatenate str (not "${pyTypeName(b)}") to str`);
      if (isList(a)) throw typeError(`can only concatenate list (not "${pyTypeName(b)}") to list`);
      if (a instanceof PyTuple) throw typeError(`can only concatenate tuple (not "${pyTypeName(b)}") to tuple`);
      throw unsupported('+', a, b);
    case '-':
      if (x && y) return x.int && y.int ? intOp(x.v, y.v, (p, q) => p - q, (p, q) => p - q) : floatResult(Number(x.v) - Number(y.v));
      if (a instanceof Set && b instanceof Set) return new Set([...a].filter((v) => ![...b].some((w) => pyEquals(v, w))));
      throw unsupported('-', a, b);
    case '*':
      if (x && y) return x.int && y.int ? intOp(x.v, y.v, (p, q) => p * q, (p, q) => p * q) : floatResult(Number(x.v) * Number(y.v));
      if (isSeq(a) && isIntLike(b)) return seqRepeat(a, b);
      if (isSeq(b) && isIntLike(a)) return seqRepeat(b, a);
      if (isSeq(a) || isSeq(b)) throw typeError(`can't multiply sequence by non-int of type '${pyTypeName(isSeq(a) ? b : a)}'`);
      throw unsupported('*', a, b);
    case '/':
      if (x && y) {
        if (Number(y.v) === 0) throw new PyException('ZeroDivisionError', x.int && y.int ? 'division by zero' : 'float division by zero');
        return floatResult(Number(x.v) / Number(y.v));
      }
      throw unsupported('/', a, b);
    case '//':
      if (x && y) {
        if (Number(y.v) === 0) throw new PyException('ZeroDivisionError', x.int && y.int ? 'integer division or modulo by zero' : 'float floor division by zero');
        if (x.int && y.int) return intResult(floorDivBig(big(x.v), big(y.v)));
        return floatResult(floatDivmod(Number(x.v), Number(y.v))[0]);
      }
      throw unsupported('//', a, b);
    case '%':
      if (typeof a === 'string') return pyPercentFormat(a, b);
      if (x && y) {
        if (Number(y.v) === 0) throw new PyException('ZeroDivisionError', x.int && y.int ? 'integer modulo by zero' : 'float modulo');
        if (x.int && y.int) return intResult(modBig(big(x.v), big(y.v)));
        return floatResult(floatDivmod(Number(x.v), Number(y.v))[1]);
      }
      throw unsupported('%', a, b);
    case '**':
      if (x && y) {
        if (x.int && y.int) {
          const e = big(y.v);
          if (e >= 0n) return intResult(big(x.v) ** e);
          if (Number(x.v) === 0) throw new PyException('ZeroDivisionError', '0.0 cannot be raised to a negative power');
          return floatResult(Math.pow(Number(x.v), Number(e)));
        }
        const base = Number(x.v);
        const exp = Number(y.v);
        if (base === 0 && exp < 0) throw new PyException('ZeroDivisionError', '0.0 cannot be raised to a negative power');
        if (base < 0 && !Number.isInteger(exp)) throw valueError('complex results are not supported');
        return floatResult(Math.pow(base, exp));
      }
      throw typeError(`unsupported operand type(s) for ** or pow(): '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/** Python unary `-x` / `+x`. */
export function unaryOp(op: 'neg' | 'pos', a: unknown): unknown {
  check(a);
  const x = asNum(a);
  if (!x) throw typeError(`bad operand type for unary ${op === 'neg' ? '-' : '+'}: '${pyTypeName(a)}'`);
  if (op === 'pos') return x.int ? x.v : floatResult(x.v);
  if (x.int) return typeof x.v === 'bigint' ? intResult(-x.v) : x.v === 0 ? 0 : -x.v;
  return floatResult(-x.v);
}

// ---------------------------------------------------------------------------------------------
// Comparison and membership
// ---------------------------------------------------------------------------------------------

function orderCompare(op: string, a: unknown, b: unknown): number {
  const x = asNum(a);
  const y = asNum(b);
  if (x && y) {
    if (x.int && y.int && (typeof x.v === 'bigint' || typeof y.v === 'bigint')) {
      const p = big(x.v);
      const q = big(y.v);
      return p < q ? -1 : p > q ? 1 : 0;
    }
    const p = Number(x.v);
    const q = Number(y.v);
    return p < q ? -1 : p > q ? 1 : p === q ? 0 : NaN;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (Array.isArray(a) && Array.isArray(b) && (a instanceof PyTuple) === (b instanceof PyTuple)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (equals(a[i], b[i])) continue;
      return orderCompare(op, a[i], b[i]);
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  throw typeError(`'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function equals(a: unknown, b: unknown): boolean {
  // Undefined.__eq__ is `type(self) is type(other)`; StrictUndefined.__eq__ raises
  if (a instanceof LenientUndef) return b instanceof LenientUndef;
  check(a);
  if (b instanceof LenientUndef) return false;
  check(b);
  return pyEquals(a, b);
}

/** Python `a in b`. */
export function contains(container: unknown, item: unknown): boolean {
  if (container instanceof LenientUndef) return false; // iterates as empty
  check(container);
  if (!(item instanceof LenientUndef)) check(item);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw typeError(`'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => equals(x, item));
  if (isDict(container)) return dictLookup(container, item).found;
  if (container instanceof Set) return container.has(item) || [...container].some((x) => equals(x, item));
  if (container instanceof PyRange) {
    if (!isIntLike(item) && !isFloat(item)) return false;
    return [...container].some((x) => pyEquals(x, item));
  }
  if (container !== null && typeof container === 'object') {
    const c = (container as { __contains__?: (x: unknown) => boolean }).__contains__;
    if (typeof c === 'function') return c.call(container, item);
    if (typeof (container as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const x of container as Iterable<unknown>) if (equals(x, item)) return true;
      return false;
    }
  }
  throw typeError(`argument of type '${pyTypeName(container)}' is not iterable`);
}

/** One comparison step of a (possibly chained) comparison. */
export function compareOp(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return equals(a, b);
    case '!=':
      return !equals(a, b);
    case 'in':
      return contains(b, a);
    case 'notin':
      return !contains(b, a);
  }
  check(a);
  check(b);
  const c = orderCompare(op, a, b);
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
  throw new Error(`unknown comparison ${op}`);
}

// ---------------------------------------------------------------------------------------------
// Iteration
// ---------------------------------------------------------------------------------------------

/** Materializes a value iterated by `{% for %}` (StrictUndefined raises). */
export function iterate(v: unknown): unknown[] {
  if (v instanceof LenientUndef) return [];
  check(v);
  return pyList(v);
}

/** Unpacks `item` into `n` targets like Python tuple assignment. */
export function unpack(item: unknown, n: number): unknown[] {
  check(item);
  const values = pyList(item);
  if (values.length < n) throw valueError(`not enough values to unpack (expected ${n}, got ${values.length})`);
  if (values.length > n) throw valueError(`too many values to unpack (expected ${n})`);
  return values;
}

// ---------------------------------------------------------------------------------------------
// Runtime objects
// ---------------------------------------------------------------------------------------------

const NO_CHANGE = Symbol('unchanged');

/** Jinja's `loop` variable. */
export class LoopContext {
  readonly __pyTypeName__ = 'LoopContext';
  index0 = -1;
  private lastChanged: unknown = NO_CHANGE;
  constructor(
    private readonly items: unknown[],
    readonly depth0 = 0,
  ) {}
  get length(): number {
    return this.items.length;
  }
  __len__(): number {
    return this.items.length;
  }
  __pyattr__(name: string): { found: boolean; value?: unknown } {
    const i = this.index0;
    const n = this.items.length;
    switch (name) {
      case 'index':
        return { found: true, value: i + 1 };
      case 'index0':
        return { found: true, value: i };
      case 'revindex':
        return { found: true, value: n - i };
      case 'revindex0':
        return { found: true, value: n - i - 1 };
      case 'first':
        return { found: true, value: i === 0 };
      case 'last':
        return { found: true, value: i === n - 1 };
      case 'length':
        return { found: true, value: n };
      case 'depth':
        return { found: true, value: this.depth0 + 1 };
      case 'depth0':
        return { found: true, value: this.depth0 };
      case 'previtem':
        return { found: true, value: i > 0 ? this.items[i - 1] : new Undef('there is no previous item') };
      case 'nextitem':
        return { found: true, value: i < n - 1 ? this.items[i + 1] : new Undef('there is no next item') };
      case 'cycle':
        return {
          found: true,
          value: new PyBoundMethod(this, 'cycle', (args) => {
            if (!args.length) throw typeError('no items for cycling given');
            return args[i % args.length];
          }),
        };
      case 'changed':
        return {
          found: true,
          value: new PyBoundMethod(this, 'changed', (args) => {
            const v = tuple(...args);
            if (this.lastChanged === NO_CHANGE || !equals(this.lastChanged, v)) {
              this.lastChanged = v;
              return true;
            }
            return false;
          }),
        };
    }
    return { found: false };
  }
  __pyStr__(): string {
    return `<LoopContext ${this.index0 + 1}/${this.items.length}>`;
  }
}

/** Jinja's `namespace(...)` object (attributes settable with `{% set ns.x = … %}`). */
export class Namespace {
  readonly __pyTypeName__ = 'Namespace';
  readonly attrs = new Map<string, unknown>();
  __pyattr__(name: string): { found: boolean; value?: unknown } {
    return this.attrs.has(name) ? { found: true, value: this.attrs.get(name) } : { found: false };
  }
  __pyStr__(): string {
    return `<Namespace {${[...this.attrs].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}>`;
  }
}

/** Collects call arguments into a dict for `dict(...)`/`namespace(...)`. */
function dictFromArgs(fname: string, args: unknown[], kwargs: Record<string, unknown>): Array<[unknown, unknown]> {
  if (args.length > 1) throw typeError(`${fname} expected at most 1 argument, got ${args.length}`);
  const pairs: Array<[unknown, unknown]> = [];
  if (args.length) {
    const src = args[0];
    check(src);
    if (isDict(src)) pairs.push(...dictEntries(src));
    else for (const item of pyIter(src)) pairs.push(unpack(item, 2) as [unknown, unknown]);
  }
  for (const [k, v] of Object.entries(kwargs)) pairs.push([k, v]);
  return pairs;
}

function rangeArg(v: unknown): number {
  check(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw typeError(`'${pyTypeName(v)}' object cannot be interpreted as an integer`);
}

function callable(name: string, fn: (args: unknown[], kwargs: Record<string, unknown>) => unknown) {
  return { __pyTypeName__: 'builtin_function_or_method', __call__: fn, __pyStr__: () => `<built-in function ${name}>` };
}

/** Jinja's `cycler(*items)`: `.next()`, `.reset()`, `.current`. A class, so it is not taken for a dict. */
class Cycler {
  readonly __pyTypeName__ = 'Cycler';
  private pos = 0;
  constructor(private readonly items: unknown[]) {}
  __pyattr__(name: string): { found: boolean; value?: unknown } {
    if (name === 'current') return { found: true, value: this.items[this.pos] };
    if (name === 'next')
      return {
        found: true,
        value: callable('next', () => {
          const v = this.items[this.pos];
          this.pos = (this.pos + 1) % this.items.length;
          return v;
        }),
      };
    if (name === 'reset')
      return {
        found: true,
        value: callable('reset', () => {
          this.pos = 0;
          return null;
        }),
      };
    return { found: false };
  }
}

/** Jinja's default globals: range, dict, namespace, joiner, cycler (lipsum is omitted). */
export function makeGlobals(): Map<string, unknown> {
  const g = new Map<string, unknown>();
  g.set(
    'range',
    callable('range', (args, kwargs) => {
      if (Object.keys(kwargs).length) throw typeError('range() takes no keyword arguments');
      if (args.length === 0) throw typeError('range expected at least 1 argument, got 0');
      if (args.length > 3) throw typeError(`range expected at most 3 arguments, got ${args.length}`);
      const n = args.map(rangeArg);
      if (n.length === 1) return new PyRange(0, n[0], 1);
      return new PyRange(n[0], n[1], n[2] ?? 1);
    }),
  );
  g.set('dict', callable('dict', (args, kwargs) => makeDict(dictFromArgs('dict', args, kwargs))));
  g.set(
    'namespace',
    callable('namespace', (args, kwargs) => {
      const ns = new Namespace();
      for (const [k, v] of dictFromArgs('namespace', args, kwargs)) ns.attrs.set(String(k), v);
      return ns;
    }),
  );
  g.set(
    'joiner',
    callable('joiner', (args) => {
      const sep = args.length ? args[0] : ', ';
      let used = false;
      return callable('joiner', () => {
        if (!used) {
          used = true;
          return '';
        }
        return sep;
      });
    }),
  );
  g.set(
    'cycler',
    callable('cycler', (args) => {
      if (!args.length) throw new PyException('RuntimeError', 'at least one item has to be provided');
      return new Cycler(args);
    }),
  );
  return g;
}

