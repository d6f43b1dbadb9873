/**
 * Python attribute and item access on our values: `getattr(obj, name)` (bound methods of
 * str/list/tuple/dict, numeric attributes, `__pyattr__` hooks) and `obj[key]` — what the
 * Jinja-compatible template engine and `str.format` field lookup call.
 */
import { PyFloat, PyTuple, isFloat, pyRepr, toNumber } from './values.ts';
import { PyBoundMethod, PyException, PyRange, PySlice, adjustSlice, isDict, isIntLike, pyTypeName, typeError } from './types.ts';
import { STR_METHODS, cps } from './str-methods.ts';
import { DICT_METHODS, LIST_METHODS, TUPLE_METHODS, dictLookup, pySliceOf } from './collections.ts';

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


