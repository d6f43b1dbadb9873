/**
 * Python string formatting: `str.format` (with the format-spec mini-language of `format()`) and
 * printf-style `str % args`.
 *
 * Floats are formatted from their exact binary value with round-half-even, like CPython
 * (`'%.0f' % 0.5 == '0'`, `format(2.675, '.2f') == '2.67'`); JS `toFixed` rounds ties away from
 * zero, so it is not used.
 */
import { PyException, isIntLike, pyToStr, pyTypeName, typeError, valueError, isDict } from './types.ts';
import { pyGetAttr, pyGetItem } from './methods.ts';
import { PyFloat, PyTuple, floatRepr, isFloat, pyLen, pyRepr, toNumber } from './values.ts';

// ---------------------------------------------------------------------------------------------
// Exact float digits
// ---------------------------------------------------------------------------------------------

/** Exact decimal expansion of a finite positive double: value = digits × 10^exp. */
function exactDecimal(x: number): { digits: string; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let be: number;
  if (e === 0) be = -1074;
  else {
    mant |= 1n << 52n;
    be = e - 1075;
  }
  if (be >= 0) return { digits: (mant << BigInt(be)).toString(), exp: 0 };
  return { digits: (mant * 5n ** BigInt(-be)).toString(), exp: be };
}

/** round_half_even(|x| × 10^p) as a BigInt, from the exact value of x. */
function scaledRound(x: number, p: number): bigint {
  if (x === 0) return 0n;
  const { digits, exp } = exactDecimal(Math.abs(x));
  const shift = exp + p;
  if (shift >= 0) return BigInt(digits) * 10n ** BigInt(shift);
  const drop = -shift;
  if (drop > digits.length) return 0n;
  const keep = digits.slice(0, digits.length - drop);
  const rest = digits.slice(digits.length - drop);
  let q = keep ? BigInt(keep) : 0n;
  const first = rest[0];
  if (first > '5') q += 1n;
  else if (first === '5') {
    if (/[1-9]/.test(rest.slice(1)) || q % 2n === 1n) q += 1n;
  }
  return q;
}

/** Decimal exponent of the leading digit of |x| (x ≠ 0). */
function leadExp(x: number): number {
  const { digits, exp } = exactDecimal(Math.abs(x));
  return digits.length - 1 + exp;
}

/** |x| in fixed notation with `p` decimals. */
function fixedAbs(x: number, p: number, alt = false): string {
  const r = scaledRound(x, p).toString();
  if (p === 0) return alt ? r + '.' : r;
  const s = r.padStart(p + 1, '0');
  return s.slice(0, -p) + '.' + s.slice(-p);
}

/** |x| in scientific notation with `p` digits after the point. */
function sciAbs(x: number, p: number, alt = false, upper = false): string {
  let e = x === 0 ? 0 : leadExp(x);
  let r = x === 0 ? '0'.repeat(p + 1) : scaledRound(x, p - e).toString();
  if (r.length > p + 1) {
    e += 1;
    r = r.slice(0, p + 1);
  }
  const mant = p > 0 ? r[0] + '.' + r.slice(1) : alt ? r + '.' : r;
  const es = Math.abs(e) < 10 ? `0${Math.abs(e)}` : `${Math.abs(e)}`;
  return `${mant}${upper ? 'E' : 'e'}${e < 0 ? '-' : '+'}${es}`;
}

/**
 * |x| in general format with `prec` significant digits. `addDot0` selects the variant used for
 * an empty presentation type with a precision (switches to exponent one digit earlier and
 * always keeps a decimal point in fixed notation).
 */
function generalAbs(x: number, prec: number, alt: boolean, upper: boolean, addDot0: boolean): string {
  const P = prec === 0 ? 1 : prec;
  let e = 0;
  if (x !== 0) {
    e = leadExp(x);
    // rounding to P significant digits may carry into a new leading digit (9.99 → 10.0)
    const r = scaledRound(x, P - 1 - e).toString();
    if (r.length > P) e += 1;
  }
  const useExp = e < -4 || e >= (addDot0 ? P - 1 : P);
  let s = useExp ? sciAbs(x, P - 1, alt, upper) : fixedAbs(x, Math.max(0, P - 1 - e), alt);
  if (!alt) {
    if (useExp) s = stripMantissaZeros(s);
    else if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  if (addDot0 && !useExp && !s.includes('.')) s += '.0';
  return s;
}

function stripMantissaZeros(s: string): string {
  return s.replace(/(\.\d*?)0+(?=[eE])/, '$1').replace(/\.(?=[eE])/, '');
}

// ---------------------------------------------------------------------------------------------
// format(value, spec)
// ---------------------------------------------------------------------------------------------

interface Spec {
  fill: string;
  align: string | null;
  sign: string | null;
  z: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string | null;
  precision: number | null;
  type: string | null;
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([_,])?(?:\.(\d+))?([a-zA-Z%])?$/su;

function parseSpec(spec: string, value: unknown): Spec {
  const m = SPEC_RE.exec(spec);
  if (!m) {
    if (/\.(?![0-9])/.test(spec)) throw valueError('Format specifier missing precision');
    throw valueError(`Invalid format specifier '${spec}' for object of type '${pyTypeName(value)}'`);
  }
  return {
    fill: m[1] ?? '',
    align: m[2] ?? null,
    sign: m[3] ?? null,
    z: Boolean(m[4]),
    alt: Boolean(m[5]),
    zero: Boolean(m[6]),
    width: m[7] ? parseInt(m[7], 10) : -1,
    grouping: m[8] ?? null,
    precision: m[9] !== undefined ? parseInt(m[9], 10) : null,
    type: m[10] ?? null,
  };
}

function padTo(body: string, width: number, fill: string, align: string, signPrefix = ''): string {
  const len = pyLen(signPrefix) + pyLen(body);
  if (width <= len) return signPrefix + body;
  const n = width - len;
  switch (align) {
    case '<':
      return signPrefix + body + fill.repeat(n);
    case '^': {
      const left = Math.floor(n / 2);
      return fill.repeat(left) + signPrefix + body + fill.repeat(n - left);
    }
    case '=':
      return signPrefix + fill.repeat(n) + body;
    default:
      return fill.repeat(n) + signPrefix + body;
  }
}

function group(digits: string, sep: string, size: number): string {
  let out = '';
  for (let i = digits.length; i > 0; i -= size) {
    const chunk = digits.slice(Math.max(0, i - size), i);
    out = out ? chunk + sep + out : chunk;
  }
  return out;
}

/** Applies grouping (and CPython's grouped zero padding) to an integer digit string. */
function groupDigits(digits: string, s: Spec, size: number, minWidth: number): string {
  if (!s.grouping) return digits;
  let d = digits;
  let g = group(d, s.grouping, size);
  while (pyLen(g) < minWidth) {
    d = '0' + d;
    g = group(d, s.grouping, size);
  }
  return g;
}

function finishNumber(negative: boolean, prefix: string, body: string, s: Spec): string {
  const sign = negative ? '-' : s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : '';
  return padTo(body, s.width, s.fill || ' ', s.align ?? '>', sign + prefix);
}

function resolveFillAlign(s: Spec, numeric: boolean): void {
  if (s.zero && !s.fill) {
    s.fill = '0';
    if (!s.align && numeric) s.align = '=';
  }
  if (!s.fill) s.fill = ' ';
}

function formatStr(v: string, spec: string): string {
  const s = parseSpec(spec, v);
  if (s.type && s.type !== 's') throw valueError(`Unknown format code '${s.type}' for object of type 'str'`);
  if (s.sign) throw valueError('Sign not allowed in string format specifier');
  if (s.alt) throw valueError('Alternate form (#) not allowed in string format specifier');
  if (s.grouping) throw valueError(`Cannot specify '${s.grouping}' with 's'.`);
  resolveFillAlign(s, false);
  if (s.align === '=') throw valueError("'=' alignment not allowed in string format specifier");
  let body = v;
  if (s.precision !== null) body = Array.from(v).slice(0, s.precision).join('');
  return padTo(body, s.width, s.fill, s.align ?? '<');
}

function formatInt(v: bigint, s: Spec): string {
  const t = s.type ?? 'd';
  if (s.precision !== null) throw valueError('Precision not allowed in integer format specifier');
  resolveFillAlign(s, true);
  const neg = v < 0n;
  const a = neg ? -v : v;
  if (t === 'c') {
    if (s.sign) throw valueError("Sign not allowed with integer format specifier 'c'");
    if (s.alt) throw valueError("Alternate form (#) not allowed with integer format specifier 'c'");
    if (v < 0n || v > 0x10ffffn) throw new PyException('OverflowError', '%c arg not in range(0x110000)');
    return padTo(String.fromCodePoint(Number(v)), s.width, s.fill, s.align ?? '>');
  }
  const bases: Record<string, [number, string]> = { d: [10, ''], n: [10, ''], b: [2, '0b'], o: [8, '0o'], x: [16, '0x'], X: [16, '0X'] };
  const b = bases[t];
  if (!b) throw valueError(`Unknown format code '${t}' for object of type 'int'`);
  if (s.grouping === ',' && b[0] !== 10) throw valueError(`Cannot specify ',' with '${t}'.`);
  let digits = a.toString(b[0]);
  if (t === 'X') digits = digits.toUpperCase();
  const prefix = s.alt ? b[1] : '';
  const sign = neg || s.sign === '+' || s.sign === ' ' ? 1 : 0;
  const minWidth = s.fill === '0' && s.align === '=' ? s.width - sign - prefix.length : 0;
  const body = groupDigits(digits, s, b[0] === 10 ? 3 : 4, minWidth);
  return finishNumber(neg, prefix, body, s);
}

function formatFloat(x: number, s: Spec): string {
  const t = s.type;
  if (s.grouping === '_' && t === 'n') throw valueError("Cannot specify '_' with 'n'.");
  resolveFillAlign(s, true);
  let neg = x < 0 || Object.is(x, -0);
  let body: string;
  const upper = t === 'E' || t === 'F' || t === 'G';
  if (t !== null && !'eEfFgGn%'.includes(t)) throw valueError(`Unknown format code '${t}' for object of type 'float'`);
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? 'nan' : 'inf';
    if (Number.isNaN(x)) neg = false;
    if (upper) body = body.toUpperCase();
    if (t === '%') body += '%';
  } else {
    const a = Math.abs(x);
    if (t === null) {
      body = s.precision === null ? floatRepr(a) : generalAbs(a, s.precision, s.alt, false, true);
    } else if (t === 'f' || t === 'F') body = fixedAbs(a, s.precision ?? 6, s.alt);
    else if (t === 'e' || t === 'E') body = sciAbs(a, s.precision ?? 6, s.alt, upper);
    else if (t === 'g' || t === 'G' || t === 'n') body = generalAbs(a, s.precision ?? 6, s.alt, upper, false);
    else if (t === '%') body = fixedAbs(a * 100, s.precision ?? 6, s.alt) + '%';
    else throw valueError(`Unknown format code '${t}' for object of type 'float'`);
    if (s.z && neg && !/[1-9]/.test(body.replace(/e.*$/i, ''))) neg = false;
  }
  if (s.grouping) {
    const m = /^(\d+)(.*)$/s.exec(body);
    if (m) {
      const sign = neg || s.sign === '+' || s.sign === ' ' ? 1 : 0;
      const minWidth = s.fill === '0' && s.align === '=' ? s.width - sign - pyLen(m[2]) : 0;
      body = groupDigits(m[1], s, 3, minWidth) + m[2];
    }
  }
  return finishNumber(neg, '', body, s);
}

/** Python `format(value, spec)`. */
export function pyFormatValue(value: unknown, spec: string): string {
  if (value !== null && typeof value === 'object') {
    const hook = (value as { __format__?: (spec: string) => string }).__format__;
    if (typeof hook === 'function') return hook.call(value, spec);
  }
  if (typeof value === 'string') return formatStr(value, spec);
  if (isIntLike(value)) {
    if (spec === '' && typeof value === 'boolean') return value ? 'True' : 'False';
    const s = parseSpec(spec, value);
    if (s.type && 'eEfFgG%'.includes(s.type)) return formatFloat(Number(typeof value === 'boolean' ? +value : value), s);
    if (s.type === 'n' || s.type === null || 'bcdoxX'.includes(s.type)) {
      const big = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
      return formatInt(big, s);
    }
    throw valueError(`Unknown format code '${s.type}' for object of type '${pyTypeName(value)}'`);
  }
  if (isFloat(value)) return formatFloat(toNumber(value), parseSpec(spec, value));
  if (spec === '') return pyToStr(value);
  throw typeError(`unsupported format string passed to ${pyTypeName(value)}.__format__`);
}

// ---------------------------------------------------------------------------------------------
// str.format
// ---------------------------------------------------------------------------------------------

interface FormatState {
  auto: number;
  mode: 'auto' | 'manual' | null;
}

/** Python `fmt.format(*args, **kwargs)`. */
export function pyFormat(fmt: string, args: unknown[], kwargs: Record<string, unknown>): string {
  return vformat(fmt, args, kwargs, { auto: 0, mode: null }, 2);
}

function vformat(fmt: string, args: unknown[], kwargs: Record<string, unknown>, st: FormatState, depth: number): string {
  if (depth < 0) throw valueError('Max string recursion exceeded');
  let out = '';
  let i = 0;
  const n = fmt.length;
  while (i < n) {
    const c = fmt[i];
    if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw valueError("Single '}' encountered in format string");
    }
    if (c !== '{') {
      const next = fmt.slice(i).search(/[{}]/);
      const end = next < 0 ? n : i + next;
      out += fmt.slice(i, end);
      i = end;
      continue;
    }
    if (fmt[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    if (i + 1 >= n) throw valueError("Single '{' encountered in format string");
    // find the matching '}' (nested replacement fields may appear in the format spec)
    let j = i + 1;
    let level = 1;
    while (j < n) {
      if (fmt[j] === '[' && level === 1) {
        // brackets in the field name may contain any character except ']'
        const close = fmt.indexOf(']', j);
        const colon = fmt.slice(i + 1, j).search(/[:!]/);
        if (colon < 0 && close > 0) {
          j = close + 1;
          continue;
        }
      }
      if (fmt[j] === '{') level++;
      else if (fmt[j] === '}') {
        level--;
        if (level === 0) break;
      }
      j++;
    }
    if (j >= n) throw valueError("expected '}' before end of string");
    out += renderField(fmt.slice(i + 1, j), args, kwargs, st, depth);
    i = j + 1;
  }
  return out;
}

function renderField(field: string, args: unknown[], kwargs: Record<string, unknown>, st: FormatState, depth: number): string {
  // split "name!conv:spec"
  let k = 0;
  while (k < field.length) {
    const ch = field[k];
    if (ch === '[') {
      const close = field.indexOf(']', k);
      k = close < 0 ? field.length : close + 1;
      continue;
    }
    if (ch === '{') throw valueError("unexpected '{' in field name");
    if (ch === ':' || ch === '!') break;
    k++;
  }
  const name = field.slice(0, k);
  let conv: string | null = null;
  let spec = '';
  if (field[k] === '!') {
    if (k + 1 >= field.length) throw valueError('end of string while looking for conversion specifier');
    conv = field[k + 1];
    if (k + 2 < field.length && field[k + 2] !== ':') throw valueError("expected ':' after conversion specifier");
    spec = field.slice(k + 3);
  } else if (field[k] === ':') spec = field.slice(k + 1);

  let value = lookupField(name, args, kwargs, st);
  if (conv === 'r') value = pyRepr(value);
  else if (conv === 's') value = pyToStr(value);
  else if (conv === 'a') value = asciiRepr(value);
  else if (conv !== null) throw valueError(`Unknown conversion specifier ${conv}`);
  if (spec.includes('{')) spec = vformat(spec, args, kwargs, st, depth - 1);
  return pyFormatValue(value, spec);
}

function asciiRepr(v: unknown): string {
  let out = '';
  for (const ch of pyRepr(v)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out;
}

function lookupField(name: string, args: unknown[], kwargs: Record<string, unknown>, st: FormatState): unknown {
  const m = /^[^.[]*/.exec(name)!;
  const first = m[0];
  let rest = name.slice(first.length);
  let value: unknown;
  if (first === '') {
    if (st.mode === 'manual') throw valueError('cannot switch from manual field specification to automatic field numbering');
    st.mode = 'auto';
    value = positional(args, st.auto++);
  } else if (/^\d+$/.test(first)) {
    if (st.mode === 'auto') throw valueError('cannot switch from automatic field numbering to manual field specification');
    st.mode = 'manual';
    value = positional(args, parseInt(first, 10));
  } else {
    if (!Object.prototype.hasOwnProperty.call(kwargs, first)) throw new PyException('KeyError', pyRepr(first));
    value = kwargs[first];
  }
  while (rest) {
    if (rest[0] === '.') {
      const a = /^\.([^.[]*)/.exec(rest)!;
      if (!a[1]) throw valueError('Empty attribute in format string');
      const hit = pyGetAttr(value, a[1]);
      if (!hit.found) throw new PyException('AttributeError', `'${pyTypeName(value)}' object has no attribute '${a[1]}'`);
      value = hit.value;
      rest = rest.slice(a[0].length);
    } else if (rest[0] === '[') {
      const close = rest.indexOf(']');
      if (close < 0) throw valueError("Missing ']' in format string");
      const key = rest.slice(1, close);
      if (!key) throw valueError('Empty attribute in format string');
      value = pyGetItem(value, /^\d+$/.test(key) ? parseInt(key, 10) : key);
      rest = rest.slice(close + 1);
      if (rest && rest[0] !== '.' && rest[0] !== '[') {
        throw valueError("Only '.' or '[' may follow ']' in format field specifier");
      }
    } else throw valueError("Only '.' or '[' may follow ']' in format field specifier");
  }
  return value;
}

function positional(args: unknown[], i: number): unknown {
  if (i >= args.length) throw new PyException('IndexError', `Replacement index ${i} out of range for positional args tuple`);
  return args[i];
}

// ---------------------------------------------------------------------------------------------
// printf-style: fmt % values
// ---------------------------------------------------------------------------------------------

const PERCENT_RE = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)?/sy;

/** Python `fmt % values` for a str `fmt`. */
export function pyPercentFormat(fmt: string, values: unknown): string {
  const isTuple = values instanceof PyTuple;
  const list = isTuple ? [...(values as unknown[])] : [values];
  const mapping = !isTuple && isDict(values) ? values : null;
  let argi = 0;
  const next = (): unknown => {
    if (argi >= list.length) throw typeError('not enough arguments for format string');
    return list[argi++];
  };
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const p = fmt.indexOf('%', i);
    if (p < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, p);
    PERCENT_RE.lastIndex = p;
    const m = PERCENT_RE.exec(fmt)!;
    const [whole, key, flags, widthS, precS, type] = m;
    if (type === undefined) throw valueError('incomplete format');
    i = p + whole.length;
    if (type === '%' && key === undefined && !flags && !widthS && precS === undefined) {
      out += '%';
      continue;
    }
    let width = widthS === '*' ? Number(toIntArg(next(), '* wants int')) : widthS ? parseInt(widthS, 10) : -1;
    let left = flags.includes('-');
    if (width < 0 && widthS === '*') {
      left = true;
      width = -width;
    }
    const prec: number | null = precS === undefined ? null : precS === '*' ? Number(toIntArg(next(), '* wants int')) : precS === '' ? 0 : parseInt(precS, 10);
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw typeError('format requires a mapping');
      const hit = pyGetItem(mapping, key);
      value = hit;
    } else if (type !== '%') value = next();
    const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    const zero = flags.includes('0') && !left;
    const alt = flags.includes('#');
    let neg = false;
    let prefix = '';
    let body: string;
    switch (type) {
      case '%':
        body = '%';
        break;
      case 's':
      case 'r':
      case 'a': {
        body = type === 's' ? pyToStr(value) : type === 'r' ? pyRepr(value) : asciiRepr(value);
        if (prec !== null) body = Array.from(body).slice(0, prec).join('');
        out += padTo(body, width, ' ', left ? '<' : '>');
        continue;
      }
      case 'd':
      case 'i':
      case 'u': {
        const v = toIntArg(value, `%${type} format: a real number is required, not ${pyTypeName(value)}`, true);
        neg = v < 0n;
        body = (neg ? -v : v).toString();
        if (prec !== null) body = body.padStart(prec, '0');
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        const v = toIntArg(value, `%${type} format: an integer is required, not ${pyTypeName(value)}`);
        neg = v < 0n;
        body = (neg ? -v : v).toString(type === 'o' ? 8 : 16);
        if (type === 'X') body = body.toUpperCase();
        if (prec !== null) body = body.padStart(prec, '0');
        if (alt) prefix = type === 'o' ? '0o' : type === 'x' ? '0x' : '0X';
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        const x = toFloatArg(value);
        neg = x < 0 || Object.is(x, -0);
        const a = Math.abs(x);
        const p = prec ?? 6;
        if (!Number.isFinite(x)) {
          body = Number.isNaN(x) ? 'nan' : 'inf';
          if (Number.isNaN(x)) neg = false;
          if (type === 'E' || type === 'F' || type === 'G') body = body.toUpperCase();
        } else if (type === 'f' || type === 'F') body = fixedAbs(a, p, alt);
        else if (type === 'e' || type === 'E') body = sciAbs(a, p, alt, type === 'E');
        else body = generalAbs(a, p, alt, type === 'G', false);
        break;
      }
      case 'c': {
        if (typeof value === 'string') {
          if (pyLen(value) !== 1) throw typeError('%c requires int or char');
          body = value;
        } else {
          const v = toIntArg(value, '%c requires int or char');
          if (v < 0n || v > 0x10ffffn) throw new PyException('OverflowError', '%c arg not in range(0x110000)');
          body = String.fromCodePoint(Number(v));
        }
        out += padTo(body, width, ' ', left ? '<' : '>');
        continue;
      }
      default:
        throw valueError(`unsupported format character '${type}' (0x${type.codePointAt(0)!.toString(16)}) at index ${p + whole.length - 1}`);
    }
    const signStr = neg ? '-' : sign;
    if (left) out += padTo(body, width, ' ', '<', signStr + prefix);
    else if (zero) out += padTo(body, width, '0', '=', signStr + prefix);
    else out += padTo(body, width, ' ', '>', signStr + prefix);
  }
  if (argi < list.length && !mapping) throw typeError('not all arguments converted during string formatting');
  return out;
}

function toIntArg(v: unknown, msg: string, allowFloat = false): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (allowFloat && isFloat(v)) {
    const x = toNumber(v);
    if (Number.isNaN(x)) throw valueError('cannot convert float NaN to integer');
    if (!Number.isFinite(x)) throw new PyException('OverflowError', 'cannot convert float infinity to integer');
    return BigInt(Math.trunc(x));
  }
  throw typeError(msg);
}

function toFloatArg(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof PyFloat) return toNumber(v);
  throw typeError(`must be real number, not ${pyTypeName(v)}`);
}

/** Python `round(x, ndigits)` for a float: correctly rounded, ties to even on the exact value. */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (ndigits > 330) return x;
  if (ndigits < -330) return x < 0 ? -0 : 0;
  const q = scaledRound(x, ndigits);
  let s: string;
  if (ndigits >= 0) {
    const r = q.toString().padStart(ndigits + 1, '0');
    s = ndigits ? r.slice(0, -ndigits) + '.' + r.slice(-ndigits) : r;
  } else s = (q * 10n ** BigInt(-ndigits)).toString();
  const v = Number(s);
  return x < 0 ? -v : v;
}
