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
  const p = new Parser(text);
  const v = p.value();
  p.ws();
  if (p.pos !== text.length) p.fail('Extra data');
  return v;
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

// ensure_ascii=False escapes: `"`, `\` and C0 controls.
const ESCAPE_RE = /["\\\x00-\x1f]/;
// ensure_ascii=True additionally escapes everything outside ' '..'~'.
const ESCAPE_ASCII_RE = /[^ !#-[\]-~]/;

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

/** CPython `json.encoder.encode_basestring(_ascii)`: the quoted JSON string. */
export function pyJsonString(s: string, ensureAscii = true): string {
  const re = ensureAscii ? ESCAPE_ASCII_RE : ESCAPE_RE;
  if (!re.test(s)) return '"' + s + '"';
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const esc = ensureAscii ? c < 32 || c > 126 || c === 34 || c === 92 : c < 32 || c === 34 || c === 92;
    if (!esc) continue;
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

/**
 * CPython `json.dumps(value, indent=, ensure_ascii=, sort_keys=, default=str-like)`.
 * Value model as in values.ts; Set → list, Map → dict, `undefined` → null, functions and other
 * unknown objects → `str(obj)` (the `default=` fallback lm-eval uses).
 */
export function pyJsonDumps(value: unknown, options: PyJsonDumpsOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const indent = options.indent;
  const sortKeys = options.sortKeys ?? false;
  const indentUnit = indent === undefined ? undefined : ' '.repeat(Math.max(0, indent));
  const itemSep = indentUnit === undefined ? ', ' : ',';
  const stack = new Set<unknown>();

  const enc = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'string':
        return pyJsonString(v, ensureAscii);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        return numberJson(v);
      case 'bigint':
        return v.toString();
      case 'function':
        return pyJsonString(pyStr(v), ensureAscii);
      case 'object':
        break;
      default:
        return pyJsonString(String(v), ensureAscii);
    }
    if (v instanceof PyFloat) return floatJson(v.value);
    if (Array.isArray(v) || v instanceof Set) {
      const items = Array.isArray(v) ? v : [...v];
      return container(v, '[', ']', items.length, level, (i, lv) => enc(items[i], lv));
    }
    let entries: [unknown, unknown][];
    if (v instanceof Map) entries = [...v.entries()];
    else if (isPlainObject(v)) entries = Object.entries(v);
    // Unknown objects: lm-eval's `default=` handler returns str(obj).
    else return pyJsonString(pyStr(v), ensureAscii);
    if (sortKeys) entries.sort((a, b) => compareKeys(a[0], b[0]));
    return container(v, '{', '}', entries.length, level, (i, lv) => {
      const [k, x] = entries[i];
      const ks = keyJson(k);
      if (ks === undefined) throw new TypeError(`keys must be str, int, float, bool or None, not ${k instanceof PyTuple ? 'tuple' : typeof k}`);
      return pyJsonString(ks, ensureAscii) + ': ' + enc(x, lv);
    });
  };

  const container = (obj: unknown, open: string, close: string, n: number, level: number, item: (i: number, level: number) => string): string => {
    if (n === 0) return open + close;
    if (stack.has(obj)) throw new TypeError('Circular reference detected');
    stack.add(obj);
    let out = open;
    let nl = '';
    if (indentUnit !== undefined) {
      nl = '\n' + indentUnit.repeat(level + 1);
      out += nl;
    }
    for (let i = 0; i < n; i++) {
      if (i > 0) out += itemSep + nl;
      out += item(i, level + 1);
    }
    if (indentUnit !== undefined) out += '\n' + indentUnit.repeat(level);
    stack.delete(obj);
    return out + close;
  };

  return enc(value, 0);
}
