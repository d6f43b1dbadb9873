/**
 * Python `str` semantics: whitespace and line breaks as Python defines them, code-point indexing,
 * split/rsplit/replace/splitlines/title/capitalize and every `str` method reachable from a template
 * or `str.format` (`STR_METHODS`).
 *
 * Python strings are indexed by code point; JS strings by UTF-16 unit. Every index-based
 * operation here converts through code points when the string contains surrogates.
 */
import { pyFormat } from './format.ts';
import { PyTuple, isPlainObject, pyLen, tuple } from './values.ts';
import { bindArgs, optInt, pyList, pyTypeName, toIndex, typeError, valueError } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Code-point string helpers
// ---------------------------------------------------------------------------------------------

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of `s` as strings (fast path: the string itself when it has no surrogates). */
export function cps(s: string): string[] | string {
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


function strArg(v: unknown, fname: string, pos = 1): string {
  if (typeof v !== 'string') throw typeError(`${fname}() argument ${pos} must be str, not ${pyTypeName(v)}`);
  return v;
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

export const STR_METHODS: Record<string, (s: string, a: unknown[], k: Record<string, unknown>) => unknown> = {
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

const WS_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'u');
const WS_RUN_G = new RegExp(`[${PY_WHITESPACE}]+`, 'gu');
const LEADING_WS = new RegExp(`^[${PY_WHITESPACE}]+`, 'u');
const TRAILING_WS = new RegExp(`[${PY_WHITESPACE}]+$`, 'u');

/** Python `s.split()` (no arguments): split on runs of Unicode whitespace, drop empty ends. */
export function pySplitWhitespace(s: string): string[] {
  const parts = s.split(WS_RUN_G);
  const out: string[] = [];
  for (const p of parts) if (p !== '') out.push(p);
  return out;
}

/** Python `re.split(r"\s+", s)` (keeps empty leading/trailing pieces). */
export function pyReSplitWhitespace(s: string): string[] {
  return s.split(WS_RUN);
}

/** Whether a UTF-16 code unit is Python whitespace (all of {@link PY_WHITESPACE} is in the BMP). */
function isPyWhitespaceCode(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
  return c >= 0x85 && WS_SET.has(String.fromCharCode(c));
}

/** `len(re.split(r"\s+", s))`: the whitespace runs plus one, counted without making the pieces. */
export function pyReSplitWhitespaceCount(s: string): number {
  let n = 1;
  let inRun = false;
  for (let i = 0; i < s.length; i++) {
    const ws = isPyWhitespaceCode(s.charCodeAt(i));
    if (ws && !inRun) n++;
    inRun = ws;
  }
  return n;
}

/** Python `s.lstrip()` (Unicode whitespace as Python defines it, not JS `trimStart`). */
export function pyLstrip(s: string): string {
  return s.replace(LEADING_WS, '');
}

/** Python `s.rstrip()` (Unicode whitespace). */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING_WS, '');
}


/** Python `s.strip()` (Unicode whitespace). */
export function pyStrip(s: string): string {
  return pyRstrip(pyLstrip(s));
}

/** The str methods available (for tests and error messages). */
export const STR_METHOD_NAMES: readonly string[] = Object.keys(STR_METHODS);
