/**
 * Python dicts (plain objects with string keys, or Maps for other key types), sequence slicing,
 * Python ordering (`sorted`, `list.sort`) and the list / tuple / dict methods.
 */
import { PyFloat, PyTuple, compareCodePoints, pyEquals, pyRepr, pyStr, toNumber, tuple } from './values.ts';
import { PyException, PySlice, bindArgs, optInt, checkHashable, isDict, isIntLike, pyIter, pyList, pyTypeName, sliceIndices, toIndex, typeError, valueError } from './types.ts';
import { cps } from './str-methods.ts';

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
  get __pyTypeName__(): string {
    return `dict_${this.kind}`;
  }
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



export const LIST_METHODS: Record<string, (l: unknown[], a: unknown[], k: Record<string, unknown>) => unknown> = {
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

export const TUPLE_METHODS: Record<string, (l: unknown[], a: unknown[], k: Record<string, unknown>) => unknown> = {
  index: (l, a, k) => seqIndex(l, a, k, 'tuple'),
  count: (l, a, k) => seqCount(l, a, k),
};

type Dict = Record<string, unknown> | Map<unknown, unknown>;

export const DICT_METHODS: Record<string, (d: Dict, a: unknown[], k: Record<string, unknown>) => unknown> = {
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
