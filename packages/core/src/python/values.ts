/**
 * Python value model shared by every module that must reproduce CPython output.
 *
 * Conventions (used across the code base):
 * - A JS `number` that is not an integer is a Python float. An integer-valued JS number is a
 *   Python int, unless it is wrapped in {@link PyFloat} (e.g. YAML `1.0`, JSON `2.0`, `acc: 1.0`).
 *   NaN and ±Infinity are floats. `bigint` is an int beyond 2^53.
 * - {@link PyTuple} is an Array subclass that prints as a tuple.
 * - `null`/`undefined` print as `None`; booleans as `True`/`False`.
 * - Plain objects are dicts (insertion order); Arrays are lists.
 */

/** A Python float whose value happens to be integral (1.0, -3.0). */
export class PyFloat {
  constructor(public readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return floatRepr(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** Returns a value that prints as a Python float: wraps integral numbers in PyFloat. */
export function pyFloat(x: number): number | PyFloat {
  return Number.isInteger(x) ? new PyFloat(x) : x;
}

/** True if `v` is a Python float under the conventions above. */
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** Numeric value of a number-like (number, PyFloat, bigint, boolean). */
export function toNumber(v: unknown): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number;
}

export function isNumberLike(v: unknown): v is number | PyFloat | bigint {
  return typeof v === 'number' || v instanceof PyFloat || typeof v === 'bigint';
}

/** An Array that prints as a Python tuple. Create with PyTuple.from([...]) or tuple(...). */
export class PyTuple<T = unknown> extends Array<T> {
  static get [Symbol.species]() {
    return Array;
  }
}

export function tuple<T>(...items: T[]): PyTuple<T> {
  // the fresh rest array becomes the tuple: constructing an Array subclass costs ~1 µs, this a fraction
  return Object.setPrototypeOf(items, PyTuple.prototype) as PyTuple<T>;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v) || v instanceof PyFloat) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** CPython `repr(float)`: shortest round-trip digits, scientific when exp < -4 or exp >= 16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e16) {
    // fixed notation in both languages here, with the same shortest round-trip digits
    const s = String(x);
    return s.includes('.') ? s : s + '.0';
  }
  const exp = x.toExponential(); // shortest round-trip digits, e.g. "1.2345e-7"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (!m) return String(x);
  const [, sign, d0, rest = '', e] = m;
  const digits = d0 + rest;
  const e10 = parseInt(e, 10);
  if (e10 < -4 || e10 >= 16) {
    const mant = rest ? `${d0}.${rest}` : d0;
    const es = Math.abs(e10) < 10 ? `0${Math.abs(e10)}` : `${Math.abs(e10)}`;
    return `${sign}${mant}e${e10 < 0 ? '-' : '+'}${es}`;
  }
  const point = e10 + 1; // digits before the decimal point
  let s: string;
  if (point <= 0) s = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length) + '.0';
  else s = digits.slice(0, point) + '.' + digits.slice(point);
  return sign + s;
}

/** Python `str()` of an int-like or float-like number. */
export function numberStr(v: number | PyFloat | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (Number.isInteger(v)) return String(v);
  return floatRepr(v);
}

// Characters Python's str.isprintable() rejects: Other (C*), separators except ASCII space.
const NON_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{Zs}]/u;

/** CPython `repr(str)`. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0');
      else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
      else out += '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

/** CPython `repr()` of a Python-like value. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  return pyStrInner(v, new Set());
}

/** CPython `str()` of a Python-like value. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  return pyStrInner(v, new Set());
}

function pyStrInner(v: unknown, seen: Set<unknown>): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return strRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof PyFloat) return numberStr(v);
  if (typeof v === 'function') return `<function ${v.name || '<lambda>'}>`;
  if (typeof v !== 'object') return String(v);
  if (seen.has(v)) return Array.isArray(v) ? '[...]' : '{...}';
  seen.add(v);
  try {
    if (v instanceof PyTuple) {
      const items = v.map((x) => pyStrInner(x, seen));
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    if (Array.isArray(v)) return `[${v.map((x) => pyStrInner(x, seen)).join(', ')}]`;
    if (v instanceof Set) {
      if (v.size === 0) return 'set()';
      return `{${[...v].map((x) => pyStrInner(x, seen)).join(', ')}}`;
    }
    if (v instanceof Map) {
      return `{${[...v].map(([k, x]) => `${pyStrInner(k, seen)}: ${pyStrInner(x, seen)}`).join(', ')}}`;
    }
    const custom = (v as { __pyStr__?: () => string }).__pyStr__;
    if (typeof custom === 'function') return custom.call(v);
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${strRepr(k)}: ${pyStrInner(x, seen)}`)
      .join(', ')}}`;
  } finally {
    seen.delete(v);
  }
}

/** Python truthiness. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v) ? true : Number.isNaN(v);
  if (v instanceof PyFloat) return v.value !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Python `==` on Python-like values (deep, int/float equal by value). */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (isNumberLike(a) || typeof a === 'boolean') {
    if (isNumberLike(b) || typeof b === 'boolean') return toNumber(a) === toNumber(b);
    return false;
  }
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a === 'string') return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    if ((a instanceof PyTuple) !== (b instanceof PyTuple)) return false;
    return a.every((x, i) => pyEquals(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals(a[k], b[k]));
  }
  return a === b;
}

/** Python `str` ordering: by code point (JS `<` compares UTF-16 units, which misorders astral characters). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // Surrogates encode astral code points, which sort after every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Python `len()` of a string: number of code points (a surrogate pair counts once, a lone surrogate once). */
export function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Python `copy.deepcopy` for our value model (keeps PyFloat, PyTuple and class instances). */
export function pyDeepCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof PyFloat) return v;
  if (v instanceof PyTuple) {
    const t = new (v.constructor as new () => PyTuple)();
    for (const x of v) t.push(pyDeepCopy(x));
    return t as T;
  }
  if (Array.isArray(v)) return v.map(pyDeepCopy) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = pyDeepCopy(x);
    return out as T;
  }
  return v;
}
