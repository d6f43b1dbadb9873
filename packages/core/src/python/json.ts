/**
 * Python-compatible JSON: a parser that keeps Python's int/float distinction (`json.loads`) and
 * a writer that reproduces CPython `json.dumps` byte for byte (CPython Lib/json/encoder.py).
 */
import { PyFloat, PyTuple, compareCodePoints, floatRepr, isPlainObject, pyStr } from './values.ts';

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A JSON syntax error, with the position where parsing stopped. */
export class PyJsonError extends SyntaxError {
  constructor(
    message: string,
    public readonly position: number,
  ) {
    super(`${message} (char ${position})`);
    this.name = 'PyJsonError';
  }
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    throw new PyJsonError(msg, this.pos);
  }

  ws(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      // Python json whitespace: space, \t, \n, \r only.
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  value(): unknown {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 34 /* " */:
        return this.string();
      case 123 /* { */:
        return this.object();
      case 91 /* [ */:
        return this.array();
      case 116 /* t */:
        return this.word('true', true);
      case 102 /* f */:
        return this.word('false', false);
      case 110 /* n */:
        return this.word('null', null);
      case 78 /* N */:
        return this.word('NaN', NaN);
      case 73 /* I */:
        return this.word('Infinity', Infinity);
      case 45 /* - */:
        if (s.startsWith('-Infinity', this.pos)) {
          this.pos += 9;
          return -Infinity;
        }
        return this.number();
      default:
        if (c >= 48 && c <= 57) return this.number();
        return this.fail('Expecting value');
    }
  }

  word<T>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.pos)) this.fail('Expecting value');
    this.pos += w.length;
    return v;
  }

  number(): number | bigint | PyFloat {
    const s = this.s;
    const start = this.pos;
    let p = start;
    if (s.charCodeAt(p) === 45) p++;
    const intStart = p;
    let c = s.charCodeAt(p);
    if (c === 48) p++;
    else if (c >= 49 && c <= 57) {
      p++;
      while ((c = s.charCodeAt(p)) >= 48 && c <= 57) p++;
    } else {
      this.pos = start;
      this.fail('Expecting value');
    }
    const intEnd = p;
    let isFloat = false;
    if (s.charCodeAt(p) === 46 /* . */) {
      const q = p + 1;
      let r = q;
      while ((c = s.charCodeAt(r)) >= 48 && c <= 57) r++;
      // Python's NUMBER_RE needs digits after '.', otherwise the number ends before the '.'.
      if (r > q) {
        isFloat = true;
        p = r;
      }
    }
    c = s.charCodeAt(p);
    if (c === 101 || c === 69 /* e E */) {
      let q = p + 1;
      const sc = s.charCodeAt(q);
      if (sc === 43 || sc === 45) q++;
      let r = q;
      while ((c = s.charCodeAt(r)) >= 48 && c <= 57) r++;
      if (r > q) {
        isFloat = true;
        p = r;
      }
    }
    this.pos = p;
    if (isFloat) {
      const v = Number(s.slice(start, p));
      return Number.isInteger(v) ? new PyFloat(v) : v;
    }
    if (intEnd - intStart < 16) return Number(s.slice(start, p));
    const text = s.slice(start, p);
    const v = Number(text);
    if (v >= -MAX_SAFE && v <= MAX_SAFE) return v;
    return BigInt(text);
  }

  string(): string {
    const s = this.s;
    const start = this.pos + 1;
    let p = start;
    // Fast path: no escapes, no control characters.
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return s.slice(start, p);
      }
      if (c === 92 || c < 32 || Number.isNaN(c)) break;
      p++;
    }
    let out = s.slice(start, p);
    let chunk = p;
    for (;;) {
      const c = s.charCodeAt(p);
      if (Number.isNaN(c)) {
        this.pos = start - 1;
        this.fail('Unterminated string starting at');
      }
      if (c === 34) {
        out += s.slice(chunk, p);
        this.pos = p + 1;
        return out;
      }
      if (c < 32) {
        this.pos = p;
        this.fail('Invalid control character at');
      }
      if (c !== 92) {
        p++;
        continue;
      }
      out += s.slice(chunk, p);
      const e = s.charCodeAt(p + 1);
      p += 2;
      switch (e) {
        case 34:
          out += '"';
          break;
        case 92:
          out += '\\';
          break;
        case 47:
          out += '/';
          break;
        case 98:
          out += '\b';
          break;
        case 102:
          out += '\f';
          break;
        case 110:
          out += '\n';
          break;
        case 114:
          out += '\r';
          break;
        case 116:
          out += '\t';
          break;
        case 117: {
          const hex = s.slice(p, p + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p - 2;
            this.fail('Invalid \\uXXXX escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          this.pos = p - 2;
          this.fail('Invalid \\escape');
      }
      chunk = p;
    }
  }

  array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        return out;
      }
      this.fail("Expecting ',' delimiter");
    }
  }

  object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 34) this.fail('Expecting property name enclosed in double quotes');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 58) this.fail("Expecting ':' delimiter");
      this.pos++;
      const v = this.value();
      // Duplicate keys: last value wins, first position kept (as in a Python dict).
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 125) {
        this.pos++;
        return out;
      }
      this.fail("Expecting ',' delimiter");
    }
  }
}

/**
 * Python `json.loads`: floats stay floats (integral ones as {@link PyFloat}), ints beyond 2^53
 * become `bigint`, `NaN`/`Infinity`/`-Infinity` are accepted, objects keep key order (except
 * that JS objects always list integer-like keys first) and duplicate keys are last-wins.
 */
export function parsePyJson(text: string): unknown {
  const fast = parseNativeIfExact(text);
  if (fast !== NOT_EXACT) return fast;
  const p = new Parser(text);
  const v = p.value();
  p.ws();
  if (p.pos !== text.length) p.fail('Extra data');
  return v;
}

const NOT_EXACT = Symbol('not exact');

/**
 * `JSON.parse` where it gives what the Python-typed parser gives: on valid JSON the two differ
 * only in integral float literals (`2.0`, `1e3`: PyFloat here) and integers past 2^53 (bigint
 * here). Every float literal has a digit followed by `.`, `e` or `E`, and such an integer has 16+
 * digits; a text without either (strings included: the test is conservative) or whose values hold
 * no integral number parses the same natively. Invalid JSON, `NaN` and `Infinity` take the
 * parser below, which gives Python's error messages.
 */
function parseNativeIfExact(text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return NOT_EXACT;
  }
  if (!FLOAT_OR_LONG_INT.test(text) || !hasIntegralNumber(v)) return v;
  return NOT_EXACT;
}

const FLOAT_OR_LONG_INT = /\d[.eE]|\d{16}/;

function hasIntegralNumber(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v) if (hasIntegralNumber(x)) return true;
    return false;
  }
  for (const k in v) if (hasIntegralNumber((v as Record<string, unknown>)[k])) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

export interface PyJsonDumpsOptions {
  /** Python `indent` (undefined = compact one-line form; 0 = newlines without indentation). */
  indent?: number;
  /** Python `ensure_ascii` (default true, as in Python). */
  ensureAscii?: boolean;
  /** Python `sort_keys`. */
  sortKeys?: boolean;
}

function escapeChar(c: number): string {
  switch (c) {
    case 34:
      return '\\"';
    case 92:
      return '\\\\';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    default:
      return '\\u' + c.toString(16).padStart(4, '0');
  }
}

/** Whether a UTF-16 code unit is escaped by `encode_basestring_ascii` (else by `encode_basestring`). */
function mustEscape(c: number, ensureAscii: boolean): boolean {
  return c < 32 || c === 34 || c === 92 || (ensureAscii && c > 126);
}

/** A character that `encode_basestring` escapes: control characters, `"` and `\\`. */
const NEEDS_ESCAPE_KEEPING_NON_ASCII = /[\x00-\x1f"\\]/;
/** A character that `encode_basestring_ascii` escapes: those, and every one past `~`. */
const NEEDS_ESCAPE = /[\x00-\x1f"\\\x7f-\uffff]/;

/** CPython `json.encoder.encode_basestring(_ascii)`: the quoted JSON string. */
export function pyJsonString(s: string, ensureAscii = true): string {
  // one native search finds the first character to escape (most strings have none)
  let i = s.search(ensureAscii ? NEEDS_ESCAPE : NEEDS_ESCAPE_KEEPING_NON_ASCII);
  if (i < 0) return '"' + s + '"';
  // the escapes from there, from a scan of the code units
  const n = s.length;
  let out = '"';
  let chunk = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!mustEscape(c, ensureAscii)) continue;
    // UTF-16 code units are exactly Python's surrogate-pair escapes for astral code points.
    out += s.slice(chunk, i) + escapeChar(c);
    chunk = i + 1;
  }
  return out + s.slice(chunk) + '"';
}

function floatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return floatRepr(x);
}

function intJson(x: number): string {
  // String(1e21) would be "1e+21"; Python ints are always decimal.
  return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
}

function numberJson(v: number): string {
  return Number.isInteger(v) ? intJson(v) : floatJson(v);
}

function keyJson(k: unknown): string | undefined {
  if (typeof k === 'string') return k;
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (k === null || k === undefined) return 'null';
  if (typeof k === 'number') return numberJson(k);
  if (typeof k === 'bigint') return k.toString();
  if (k instanceof PyFloat) return floatJson(k.value);
  return undefined;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  const na = a instanceof PyFloat ? a.value : a;
  const nb = b instanceof PyFloat ? b.value : b;
  if ((typeof na === 'number' || typeof na === 'bigint' || typeof na === 'boolean') && (typeof nb === 'number' || typeof nb === 'bigint' || typeof nb === 'boolean')) {
    const x = Number(na);
    const y = Number(nb);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new TypeError("'<' not supported between dict keys of different types (sort_keys)");
}

/** One `pyJsonDumps` call's settings, and the containers being written (circular references). */
interface Dumper {
  ensureAscii: boolean;
  /** the indent string of one level; undefined: one line */
  indentUnit: string | undefined;
  itemSep: string;
  sortKeys: boolean;
  open: unknown[];
}

function encodeValue(v: unknown, level: number, d: Dumper): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return pyJsonString(v, d.ensureAscii);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberJson(v);
    case 'bigint':
      return v.toString();
    case 'function':
      return pyJsonString(pyStr(v), d.ensureAscii);
    case 'object':
      break;
    default:
      return pyJsonString(String(v), d.ensureAscii);
  }
  if (v instanceof PyFloat) return floatJson(v.value);
  if (Array.isArray(v)) return encodeList(v, v, level, d);
  if (v instanceof Set) return encodeList(v, [...v], level, d);
  if (v instanceof Map) return encodeEntries(v, [...v.entries()], level, d);
  if (!isPlainObject(v)) return pyJsonString(pyStr(v), d.ensureAscii); // lm-eval's `default=` handler: str(obj)
  if (d.sortKeys) return encodeEntries(v, Object.entries(v), level, d);
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  const nl = enter(v, level, d);
  let out = '{' + nl;
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += d.itemSep + nl;
    out += pyJsonString(keys[i], d.ensureAscii) + ': ' + encodeValue(v[keys[i]], level + 1, d);
  }
  return out + leave(level, d) + '}';
}

function encodeList(obj: unknown, items: readonly unknown[], level: number, d: Dumper): string {
  if (items.length === 0) return '[]';
  const nl = enter(obj, level, d);
  let out = '[' + nl;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += d.itemSep + nl;
    out += encodeValue(items[i], level + 1, d);
  }
  return out + leave(level, d) + ']';
}

function encodeEntries(obj: unknown, entries: Array<[unknown, unknown]>, level: number, d: Dumper): string {
  if (entries.length === 0) return '{}';
  if (d.sortKeys) entries.sort((a, b) => compareKeys(a[0], b[0]));
  const nl = enter(obj, level, d);
  let out = '{' + nl;
  for (let i = 0; i < entries.length; i++) {
    const [k, x] = entries[i];
    const ks = keyJson(k);
    if (ks === undefined) throw new TypeError(`keys must be str, int, float, bool or None, not ${k instanceof PyTuple ? 'tuple' : typeof k}`);
    if (i > 0) out += d.itemSep + nl;
    out += pyJsonString(ks, d.ensureAscii) + ': ' + encodeValue(x, level + 1, d);
  }
  return out + leave(level, d) + '}';
}

/** Opens a non-empty container (refusing a circular one); returns the newline before its items. */
function enter(obj: unknown, level: number, d: Dumper): string {
  if (d.open.includes(obj)) throw new TypeError('Circular reference detected');
  d.open.push(obj);
  return d.indentUnit === undefined ? '' : '\n' + d.indentUnit.repeat(level + 1);
}

/** Closes the innermost container; returns the newline before its closing bracket. */
function leave(level: number, d: Dumper): string {
  d.open.pop();
  return d.indentUnit === undefined ? '' : '\n' + d.indentUnit.repeat(level);
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20): no lone surrogates. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Whether JSON.stringify writes `v` as Python's json.dumps(ensure_ascii=False) does: only strings
 * without lone surrogates, ints below 1e21 (no floats: their repr differs), booleans, None, lists
 * and plain dicts (not too deep, so never circular).
 */
function isNativeJsonSafe(v: unknown, depth: number): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
      return isWellFormed(v);
    case 'boolean':
      return true;
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 1e21;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > 64) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isNativeJsonSafe(v[i], depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(v)) return false;
  for (const k of Object.keys(v)) if (!isWellFormed(k) || !isNativeJsonSafe(v[k], depth + 1)) return false;
  return true;
}

/**
 * `pyJsonDumps(v)` (default options) for many values that are mostly equal (e.g. each request's
 * copy of a task's gen_kwargs): the text of a native-safe value is remembered under its
 * JSON.stringify text, which is one-to-one on such values; any other value is written afresh.
 */
export function memoPyJsonDumps(): (value: unknown) => string {
  const known = new Map<string, string>();
  return (value) => {
    if (!isNativeJsonSafe(value, 0)) return pyJsonDumps(value);
    const native = JSON.stringify(value);
    let text = known.get(native);
    if (text === undefined) known.set(native, (text = pyJsonDumps(value)));
    return text;
  };
}

/**
 * CPython `json.dumps(value, indent=, ensure_ascii=, sort_keys=, default=str-like)`.
 * Value model as in values.ts; Set → list, Map → dict, `undefined` → null, functions and other
 * unknown objects → `str(obj)` (the `default=` fallback lm-eval uses).
 */
export function pyJsonDumps(value: unknown, options: PyJsonDumpsOptions = {}): string {
  const indent = options.indent;
  if (indent !== undefined && indent >= 1 && indent <= 10 && options.ensureAscii === false && !options.sortKeys && isNativeJsonSafe(value, 0)) {
    // same bytes from V8's JSON.stringify: its indented form has Python's separators (',' + newline,
    // ': ') and its string escapes are encode_basestring's
    return JSON.stringify(value, null, indent);
  }
  const indentUnit = options.indent === undefined ? undefined : ' '.repeat(Math.max(0, options.indent));
  return encodeValue(value, 0, {
    ensureAscii: options.ensureAscii ?? true,
    indentUnit,
    itemSep: indentUnit === undefined ? ', ' : ',',
    sortKeys: options.sortKeys ?? false,
    open: [],
  });
}
