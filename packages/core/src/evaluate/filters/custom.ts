/** `custom`: `filter_fn(resps, docs)` over the whole list (filter_fn is a `!function`). */
import { LmEvalError } from '../../errors.ts';
import type { FilterDoc, FilterFactory } from './filter.ts';

export const customFilter: FilterFactory = (kwargs) => {
  const fn = kwargs.filter_fn;
  if (typeof fn !== 'function') throw new LmEvalError(`filter 'custom' needs 'filter_fn: !function <module>.<name>', got ${fn === undefined ? 'nothing' : typeof fn}`);
  return {
    apply: (resps, docs) => (fn as (r: unknown[], d: FilterDoc[]) => unknown[])(resps, docs),
  };
};
