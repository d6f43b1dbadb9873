/** `custom`: `filter_fn(resps, docs)` over the whole list (filter_fn is a `!function`). */
import { LmEvalError } from '../../errors.ts';
import type { FilterDoc, FilterFactory } from './filter.ts';
import { callPython, isPythonCallable } from '../../pyfn/session.ts';

export const customFilter: FilterFactory = (kwargs) => {
  const fn = kwargs.filter_fn;
  if (typeof fn !== 'function') throw new LmEvalError(`filter 'custom' needs 'filter_fn: !function <module>.<name>', got ${fn === undefined ? 'nothing' : typeof fn}`);
  if (isPythonCallable(fn)) return { apply: async (resps, docs) => (await callPython(fn, [resps, docs])) as unknown[] };
  return {
    apply: (resps, docs) => (fn as (r: unknown[], d: FilterDoc[]) => unknown[])(resps, docs),
  };
};
