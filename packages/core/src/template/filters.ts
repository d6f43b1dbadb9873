/**
 * Jinja2 built-in filters (jinja2/filters.py semantics, no autoescape) plus lm-eval's
 * `regex_replace`. Not provided: `random`, `pprint`, `urlize`, `urlencode`, `wordwrap`,
 * `xmlattr`, `filesizeformat`, `striptags`, `groupby` (unknown filters fail like in Jinja).
 */
import { PyException, PyIterator, bindArgs, isDict, isIntLike, pyIter, pyLength, pyList, pyToStr, pyTypeName, toIndex, typeError } from '../python/types.ts';
import { dictEntries, pyCompareValues } from '../python/collections.ts';
import { pyCapitalize, pyReplace, pySplitLines, PY_WHITESPACE } from '../python/str-methods.ts';
import { pyGetAttr } from '../python/methods.ts';
import { pyPercentFormat, pyRound } from '../python/format.ts';
import { reSub } from '../python/re.ts';
import { pyJsonDumps } from '../python/json.ts';
import { PyFloat, isFloat, pyEquals, pyLen, toNumber, tuple } from '../python/values.ts';
import { Undef, binaryOp, getItem, intResult, truthy, unaryOp } from './runtime.ts';

export interface FilterEnv {
  callFilter(name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown;
  callTest(name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>): boolean;
}

export type FilterFn = (env: FilterEnv, value: unknown, args: unknown[], kwargs: Record<string, unknown>) => unknown;

function sig(name: string, params: string[], args: unknown[], kwargs: Record<string, unknown>, required = 0): unknown[] {
  return bindArgs(name, { params, required, kw: true }, args, kwargs);
}

function isNone(v: unknown): boolean {
  return v === null || v === undefined;
}

/** Jinja `make_attrgetter`: dotted path, integer parts, each step via environment.getitem. */
function attrGetter(attribute: unknown, opts: { lower?: boolean; dflt?: unknown } = {}): (item: unknown) => unknown {
  const parts: unknown[] =
    typeof attribute === 'string' ? attribute.split('.').map((p) => (/^\d+$/.test(p) ? parseInt(p, 10) : p)) : isNone(attribute) ? [] : [attribute];
  return (item: unknown) => {
    for (const p of parts) {
      item = getItem(item, p);
      if (!isNone(opts.dflt) && item instanceof Undef) item = opts.dflt;
    }
    if (opts.lower && typeof item === 'string') item = item.toLowerCase();
    return item;
  };
}

function lazy(gen: () => Generator<unknown>): PyIterator {
  return new PyIterator(gen(), 'generator object');
}

const htmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

/** Python `int(str)` accepting whitespace, sign and underscores. */
function parseIntStr(s: string, base: number): number | bigint | null {
  const t = s.replace(new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g'), '');
  const m = /^([+-]?)(0[xob])?([0-9a-z](?:_?[0-9a-z])*)$/i.exec(t);
  if (!m) return null;
  let b = base;
  const prefix = m[2]?.toLowerCase();
  if (prefix) {
    const pb = prefix === '0x' ? 16 : prefix === '0o' ? 8 : 2;
    if (base !== 0 && base !== pb) return null;
    b = pb;
  } else if (base === 0) b = 10;
  const digits = m[3].replace(/_/g, '').toLowerCase();
  let acc = 0n;
  for (const ch of digits) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= b) return null;
    acc = acc * BigInt(b) + BigInt(d);
  }
  return intResult(m[1] === '-' ? -acc : acc);
}

/** Python `float(str)`. */
function parseFloatStr(s: string): number | null {
  const t = s.replace(new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g'), '').replace(/(?<=\d)_(?=\d)/g, '');
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

/** Python `float(v)`; null where Python raises TypeError/ValueError. */
function toPyFloat(v: unknown): number | null {
  if (v instanceof Undef) v.fail();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof PyFloat) return toNumber(v);
  if (typeof v === 'string') return parseFloatStr(v);
  return null;
}

function reversedIter(v: unknown): Iterable<unknown> | null {
  if (typeof v === 'string') return Array.from(v).reverse();
  if (Array.isArray(v)) return [...v].reverse();
  if (isDict(v)) return dictEntries(v).map(([k]) => k).reverse();
  if (v !== null && typeof v === 'object' && '__len__' in (v as object) && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' && !(v instanceof PyIterator)) {
    return [...(v as Iterable<unknown>)].reverse();
  }
  return null;
}

function minMax(name: string, want: number): FilterFn {
  return (_env, value, args, kwargs) => {
    const [cs, attribute] = sig(name, ['case_sensitive', 'attribute'], args, kwargs);
    const items = pyList(value);
    if (!items.length) return new Undef('No aggregated item, sequence was empty.');
    const key = attrGetter(attribute, { lower: !truthyOr(cs, false) });
    let best = items[0];
    let bestKey = key(best);
    for (const it of items.slice(1)) {
      const k = key(it);
      if (pyCompareValues(k, bestKey) * want > 0) {
        best = it;
        bestKey = k;
      }
    }
    return best;
  };
}

function truthyOr(v: unknown, dflt: boolean): boolean {
  return v === undefined ? dflt : truthy(v);
}

function selectOrReject(name: string, attr: boolean, keep: boolean): FilterFn {
  return (env, value, args, kwargs) => {
    if (!truthy(value)) return lazy(function* () {});
    let trans = (x: unknown) => x;
    let off = 0;
    if (attr) {
      if (!args.length) throw new PyException('FilterArgumentError', 'Missing parameter for attribute name');
      trans = attrGetter(args[0]);
      off = 1;
    }
    const testName = args[off];
    const testArgs = args.slice(off + 1);
    const pred = testName === undefined ? (x: unknown) => truthy(x) : (x: unknown) => env.callTest(String(testName), x, testArgs, kwargs);
    const items = pyIter(value);
    return lazy(function* () {
      for (const item of items) if (pred(trans(item)) === keep) yield item;
    });
  };
}

export const FILTERS: Record<string, FilterFn> = {
  abs: (_e, v, a, k) => {
    sig('abs', [], a, k);
    if (v instanceof Undef) v.fail();
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' || typeof v === 'bigint' || v instanceof PyFloat) {
      const neg = typeof v === 'bigint' ? v < 0n : toNumber(v) < 0 || Object.is(toNumber(v), -0);
      return neg ? unaryOp('neg', v) : v;
    }
    throw typeError(`bad operand type for abs(): '${pyTypeName(v)}'`);
  },
  attr: (_e, v, a, k) => {
    const [name] = sig('attr', ['name'], a, k, 1);
    if (v instanceof Undef) v.fail();
    const hit = pyGetAttr(v, String(name));
    return hit.found ? hit.value : new Undef(null, v, name);
  },
  batch: (_e, v, a, k) => {
    const [lc, fill] = sig('batch', ['linecount', 'fill_with'], a, k, 1);
    const n = toIndex(lc);
    const items = pyIter(v);
    return lazy(function* () {
      let tmp: unknown[] = [];
      for (const it of items) {
        if (tmp.length === n) {
          yield tmp;
          tmp = [];
        }
        tmp.push(it);
      }
      if (tmp.length) {
        if (!isNone(fill) && fill !== undefined) while (tmp.length < n) tmp.push(fill);
        yield tmp;
      }
    });
  },
  capitalize: (_e, v, a, k) => (sig('capitalize', [], a, k), pyCapitalize(pyToStr(v))),
  center: (_e, v, a, k) => {
    const [w] = sig('center', ['width'], a, k);
    const width = w === undefined ? 80 : toIndex(w);
    const s = pyToStr(v);
    const n = pyLen(s);
    if (width <= n) return s;
    const marg = width - n;
    const left = Math.floor(marg / 2) + (marg & width & 1);
    return ' '.repeat(left) + s + ' '.repeat(marg - left);
  },
  default: (_e, v, a, k) => {
    const [dv, boolean] = sig('default', ['default_value', 'boolean'], a, k);
    if (v instanceof Undef || (truthyOr(boolean, false) && !truthy(v))) return dv === undefined ? '' : dv;
    return v;
  },
  dictsort: (_e, v, a, k) => {
    const [cs, by, rev] = sig('dictsort', ['case_sensitive', 'by', 'reverse'], a, k);
    if (v instanceof Undef) v.fail();
    if (!isDict(v)) throw typeError(`'${pyTypeName(v)}' object has no attribute 'items'`);
    const pos = by === undefined || by === 'key' ? 0 : by === 'value' ? 1 : -1;
    if (pos < 0) throw new PyException('FilterArgumentError', 'You can only sort by either "key" or "value"');
    const lower = !truthyOr(cs, false);
    const keyOf = (p: [unknown, unknown]) => {
      const x = p[pos as 0 | 1];
      return lower && typeof x === 'string' ? x.toLowerCase() : x;
    };
    const r = truthyOr(rev, false) ? -1 : 1;
    return dictEntries(v)
      .sort((x, y) => r * pyCompareValues(keyOf(x), keyOf(y)))
      .map(([x, y]) => tuple(x, y));
  },
  escape: (_e, v, a, k) => (sig('escape', [], a, k), htmlEscape(pyToStr(v))),
  first: (_e, v, a, k) => {
    sig('first', [], a, k);
    for (const x of pyIter(v)) return x;
    return new Undef('No first item, sequence was empty.');
  },
  float: (_e, v, a, k) => {
    const [dflt] = sig('float', ['default'], a, k);
    const x = toPyFloat(v);
    if (x === null) return dflt === undefined ? new PyFloat(0) : dflt;
    return Number.isInteger(x) ? new PyFloat(x) : x;
  },
  format: (_e, v, a, k) => {
    if (a.length && Object.keys(k).length) throw new PyException('FilterArgumentError', "can't handle positional and keyword arguments at the same time");
    return pyPercentFormat(pyToStr(v), Object.keys(k).length ? k : tuple(...a));
  },
  indent: (_e, v, a, k) => {
    const [w, first, blank] = sig('indent', ['width', 'first', 'blank'], a, k);
    const ind = typeof w === 'string' ? w : ' '.repeat(w === undefined ? 4 : toIndex(w));
    const s = pyToStr(v) + '\n';
    let rv: string;
    if (truthyOr(blank, false)) rv = pySplitLines(s).join('\n' + ind);
    else {
      const lines = pySplitLines(s);
      rv = lines.shift() ?? '';
      if (lines.length) rv += '\n' + lines.map((l) => (l ? ind + l : l)).join('\n');
    }
    if (truthyOr(first, false)) rv = ind + rv;
    return rv;
  },
  int: (_e, v, a, k) => {
    const [dflt, baseArg] = sig('int', ['default', 'base'], a, k);
    const base = baseArg === undefined ? 10 : toIndex(baseArg);
    const fallback = dflt === undefined ? 0 : dflt;
    if (v instanceof Undef) v.fail();
    if (typeof v === 'string') {
      const r = parseIntStr(v, base);
      if (r !== null) return r;
      const f = parseFloatStr(v);
      if (f === null || Number.isNaN(f)) return fallback;
      if (!Number.isFinite(f)) throw new PyException('OverflowError', 'cannot convert float infinity to integer');
      return intResult(BigInt(Math.trunc(f)));
    }
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (isIntLike(v)) return v;
    if (isFloat(v)) {
      const f = toNumber(v);
      if (Number.isNaN(f)) return fallback;
      if (!Number.isFinite(f)) throw new PyException('OverflowError', 'cannot convert float infinity to integer');
      return intResult(BigInt(Math.trunc(f)));
    }
    return fallback;
  },
  items: (_e, v, a, k) => {
    sig('items', [], a, k);
    if (v instanceof Undef) return lazy(function* () {});
    if (!isDict(v)) throw typeError('Can only get item pairs from a mapping.');
    const entries = dictEntries(v);
    return lazy(function* () {
      for (const [x, y] of entries) yield tuple(x, y);
    });
  },
  join: (_e, v, a, k) => {
    const [d, attribute] = sig('join', ['d', 'attribute'], a, k);
    let items = pyList(v);
    if (!isNone(attribute)) items = items.map(attrGetter(attribute));
    return items.map(pyToStr).join(d === undefined ? '' : pyToStr(d));
  },
  last: (_e, v, a, k) => {
    sig('last', [], a, k);
    if (v instanceof Undef) v.fail();
    const r = reversedIter(v);
    if (r === null) throw typeError(`'${pyTypeName(v)}' object is not reversible`);
    for (const x of r) return x;
    return new Undef('No last item, sequence was empty.');
  },
  length: (_e, v, a, k) => (sig('length', [], a, k), pyLength(v)),
  list: (_e, v, a, k) => (sig('list', [], a, k), pyList(v)),
  lower: (_e, v, a, k) => (sig('lower', [], a, k), pyToStr(v).toLowerCase()),
  map: (env, v, a, k) => {
    if (!truthy(v)) return lazy(function* () {});
    let fn: (x: unknown) => unknown;
    if (!a.length && 'attribute' in k) {
      const { attribute, default: dflt, ...rest } = k;
      const extra = Object.keys(rest);
      if (extra.length) throw new PyException('FilterArgumentError', `Unexpected keyword argument '${extra[0]}'`);
      fn = attrGetter(attribute, { dflt });
    } else {
      if (!a.length) throw new PyException('FilterArgumentError', 'map requires a filter argument');
      const [name, ...rest] = a;
      fn = (x) => env.callFilter(String(name), x, rest, k);
    }
    const items = pyIter(v);
    return lazy(function* () {
      for (const x of items) yield fn(x);
    });
  },
  max: minMax('max', 1),
  min: minMax('min', -1),
  reject: selectOrReject('reject', false, false),
  rejectattr: selectOrReject('rejectattr', true, false),
  replace: (_e, v, a, k) => {
    const [old, rep, count] = sig('replace', ['old', 'new', 'count'], a, k, 2);
    return pyReplace(pyToStr(v), pyToStr(old), pyToStr(rep), isNone(count) ? -1 : toIndex(count));
  },
  reverse: (_e, v, a, k) => {
    sig('reverse', [], a, k);
    if (v instanceof Undef) v.fail();
    if (typeof v === 'string') return Array.from(v).reverse().join('');
    const r = reversedIter(v);
    if (r !== null) return new PyIterator((r as unknown[])[Symbol.iterator](), 'list_reverseiterator object');
    const items = pyList(v);
    return items.reverse();
  },
  round: (_e, v, a, k) => {
    const [p, method] = sig('round', ['precision', 'method'], a, k);
    const prec = p === undefined ? 0 : toIndex(p);
    const m = method === undefined ? 'common' : method;
    if (m !== 'common' && m !== 'ceil' && m !== 'floor') throw new PyException('FilterArgumentError', 'method must be common, ceil or floor');
    if (v instanceof Undef) v.fail();
    if (m === 'common') {
      if (isIntLike(v) && !isFloat(v)) {
        if (prec >= 0) return typeof v === 'boolean' ? (v ? 1 : 0) : v;
        const f = 10 ** -prec;
        return intResult(BigInt(pyRound(Number(v) / f, 0) * f));
      }
      if (isFloat(v)) {
        const r = pyRound(toNumber(v), prec);
        return Number.isInteger(r) ? new PyFloat(r) : r;
      }
      throw typeError(`type ${pyTypeName(v)} doesn't define __round__ method`);
    }
    const scaled = binaryOp('*', v, binaryOp('**', 10, prec));
    const fn = m === 'ceil' ? Math.ceil : Math.floor;
    return binaryOp('/', fn(toNumber(scaled)), binaryOp('**', 10, prec));
  },
  safe: (_e, v, a, k) => (sig('safe', [], a, k), pyToStr(v)),
  select: selectOrReject('select', false, true),
  selectattr: selectOrReject('selectattr', true, true),
  slice: (_e, v, a, k) => {
    const [n, fill] = sig('slice', ['slices', 'fill_with'], a, k, 1);
    const slices = toIndex(n);
    const seq = pyList(v);
    const per = Math.floor(seq.length / slices);
    const extra = seq.length % slices;
    return lazy(function* () {
      let offset = 0;
      for (let i = 0; i < slices; i++) {
        const start = offset + i * per;
        if (i < extra) offset += 1;
        const end = offset + (i + 1) * per;
        const tmp = seq.slice(start, end);
        if (!isNone(fill) && i >= extra) tmp.push(fill);
        yield tmp;
      }
    });
  },
  sort: (_e, v, a, k) => {
    const [rev, cs, attribute] = sig('sort', ['reverse', 'case_sensitive', 'attribute'], a, k);
    const key = attrGetter(attribute, { lower: !truthyOr(cs, false) });
    const r = truthyOr(rev, false) ? -1 : 1;
    const keyed = pyList(v).map((x) => [key(x), x] as const);
    keyed.sort((x, y) => r * pyCompareValues(x[0], y[0]));
    return keyed.map((x) => x[1]);
  },
  string: (_e, v, a, k) => (sig('string', [], a, k), pyToStr(v)),
  sum: (_e, v, a, k) => {
    const [attribute, start] = sig('sum', ['attribute', 'start'], a, k);
    let items = pyList(v);
    if (!isNone(attribute)) items = items.map(attrGetter(attribute));
    let acc: unknown = start === undefined ? 0 : start;
    for (const x of items) acc = binaryOp('+', acc, x);
    return acc;
  },
  title: (_e, v, a, k) => {
    sig('title', [], a, k);
    // Jinja's own title(): words split on whitespace and - ( { [ <
    return pyToStr(v)
      .split(new RegExp(`([-${PY_WHITESPACE}({\\[<]+)`))
      .filter((x) => x)
      .map((w) => {
        const c = Array.from(w);
        return c[0].toUpperCase() + c.slice(1).join('').toLowerCase();
      })
      .join('');
  },
  tojson: (_e, v, a, k) => {
    const [indent] = sig('tojson', ['indent'], a, k);
    const s = pyJsonDumps(v, { sortKeys: true, indent: isNone(indent) ? undefined : toIndex(indent) });
    return s.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
  },
  trim: (_e, v, a, k) => {
    const [chars] = sig('trim', ['chars'], a, k);
    const s = pyToStr(v);
    const set = new Set(isNone(chars) ? PY_WHITESPACE : pyToStr(chars));
    const c = Array.from(s);
    let i = 0;
    let j = c.length;
    while (i < j && set.has(c[i])) i++;
    while (j > i && set.has(c[j - 1])) j--;
    return c.slice(i, j).join('');
  },
  truncate: (_e, v, a, k) => {
    const [len, killwords, end, leeway] = sig('truncate', ['length', 'killwords', 'end', 'leeway'], a, k);
    const s = pyToStr(v);
    const length = len === undefined ? 255 : toIndex(len);
    const e = end === undefined ? '...' : pyToStr(end);
    const lw = isNone(leeway) ? 5 : toIndex(leeway);
    if (pyLen(s) <= length + lw) return s;
    const c = Array.from(s);
    const cut = c.slice(0, Math.max(0, length - pyLen(e))).join('');
    if (truthyOr(killwords, false)) return cut + e;
    const sp = cut.lastIndexOf(' ');
    return (sp >= 0 ? cut.slice(0, sp) : cut) + e;
  },
  unique: (_e, v, a, k) => {
    const [cs, attribute] = sig('unique', ['case_sensitive', 'attribute'], a, k);
    const key = attrGetter(attribute, { lower: !truthyOr(cs, false) });
    const items = pyIter(v);
    return lazy(function* () {
      const seen: unknown[] = [];
      for (const x of items) {
        const kx = key(x);
        if (!seen.some((s) => pyEquals(s, kx))) {
          seen.push(kx);
          yield x;
        }
      }
    });
  },
  upper: (_e, v, a, k) => (sig('upper', [], a, k), pyToStr(v).toUpperCase()),
  wordcount: (_e, v, a, k) => (sig('wordcount', [], a, k), (pyToStr(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length),
  regex_replace: (_e, v, a, k) => {
    // lm-eval: def regex_replace(string, pattern, repl, count=0): return re.sub(pattern, repl, string, count=count)
    const [pattern, repl, count] = sig('regex_replace', ['pattern', 'repl', 'count'], a, k, 2);
    if (v instanceof Undef) v.fail();
    if (typeof v !== 'string') throw typeError(`expected string or bytes-like object, got '${pyTypeName(v)}'`);
    if (typeof pattern !== 'string') throw typeError(`first argument must be string or compiled pattern`);
    if (typeof repl !== 'string') throw typeError(`expected str instance, ${pyTypeName(repl)} found`);
    return reSub(pattern, repl, v, count === undefined ? 0 : toIndex(count));
  },
};


FILTERS.count = FILTERS.length;
FILTERS.d = FILTERS.default;
FILTERS.e = FILTERS.escape;
FILTERS.forceescape = FILTERS.escape;

