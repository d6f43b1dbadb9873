/** Jinja2 built-in tests (`x is defined`, `x is none`, …), jinja2/tests.py semantics. */
import { PyBoundMethod, PyRange, bindArgs, isDict, isPyInt, pyIter, pyLength, pyToStr } from '../python/types.ts';
import { pyGetAttr } from '../python/methods.ts';
import { PyFloat, isFloat } from '../python/values.ts';
import { Undef, binaryOp, compareOp } from './runtime.ts';
import { FILTERS } from './filters.ts';

export type TestFn = (value: unknown, args: unknown[], kwargs: Record<string, unknown>) => boolean;

function one(name: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  return bindArgs(name, { params: ['other'], required: 1, kw: true }, args, kwargs)[0];
}
function none(name: string, args: unknown[], kwargs: Record<string, unknown>): void {
  bindArgs(name, { params: [] }, args, kwargs);
}

function strPredicate(s: string, method: string): boolean {
  return (pyGetAttr(s, method).value as PyBoundMethod).__call__([], {}) as boolean;
}

function cmp(op: string): TestFn {
  return (v, a, k) => compareOp(op, v, one(op, a, k));
}

export const TESTS: Record<string, TestFn> = {
  defined: (v, a, k) => (none('defined', a, k), !(v instanceof Undef)),
  undefined: (v, a, k) => (none('undefined', a, k), v instanceof Undef),
  none: (v, a, k) => (none('none', a, k), v === null || v === undefined),
  boolean: (v) => typeof v === 'boolean',
  false: (v) => v === false,
  true: (v) => v === true,
  integer: (v) => isPyInt(v),
  float: (v) => isFloat(v),
  number: (v) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof PyFloat,
  string: (v) => typeof v === 'string',
  mapping: (v) => isDict(v),
  // len(value) and value.__getitem__ must both exist; any exception means False
  sequence: (v) => {
    if (v instanceof Undef) return false;
    if (typeof v === 'string' || Array.isArray(v) || isDict(v) || v instanceof PyRange) return true;
    if (v !== null && typeof v === 'object') {
      try {
        pyLength(v);
      } catch {
        return false;
      }
      return typeof (v as { __getitem__?: unknown }).__getitem__ === 'function';
    }
    return false;
  },
  iterable: (v) => {
    if (v instanceof Undef) v.fail();
    try {
      pyIter(v);
      return true;
    } catch {
      return false;
    }
  },
  callable: (v) =>
    v instanceof PyBoundMethod ||
    v instanceof Undef ||
    typeof v === 'function' ||
    (v !== null && typeof v === 'object' && typeof (v as { __call__?: unknown }).__call__ === 'function'),
  odd: (v) => compareOp('==', binaryOp('%', v, 2), 1),
  even: (v) => compareOp('==', binaryOp('%', v, 2), 0),
  divisibleby: (v, a, k) => compareOp('==', binaryOp('%', v, one('divisibleby', a, k)), 0),
  eq: cmp('=='),
  ne: cmp('!='),
  lt: cmp('<'),
  le: cmp('<='),
  gt: cmp('>'),
  ge: cmp('>='),
  in: (v, a, k) => compareOp('in', v, one('in', a, k)),
  lower: (v) => strPredicate(pyToStr(v), 'islower'),
  upper: (v) => strPredicate(pyToStr(v), 'isupper'),
  sameas: (v, a, k) => {
    const o = one('sameas', a, k);
    if (v instanceof PyFloat && o instanceof PyFloat) return v === o;
    return v === o || ((v === null || v === undefined) && (o === null || o === undefined));
  },
  escaped: () => false,
  filter: (v) => typeof v === 'string' && Object.prototype.hasOwnProperty.call(FILTERS, v),
  test: (v) => typeof v === 'string' && Object.prototype.hasOwnProperty.call(TESTS, v),
};

TESTS['=='] = TESTS.eq;
TESTS.equalto = TESTS.eq;
TESTS['!='] = TESTS.ne;
TESTS['<'] = TESTS.lt;
TESTS.lessthan = TESTS.lt;
TESTS['<='] = TESTS.le;
TESTS['>'] = TESTS.gt;
TESTS.greaterthan = TESTS.gt;
TESTS['>='] = TESTS.ge;

