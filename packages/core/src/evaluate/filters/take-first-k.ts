/** `take_first_k`: `resps[:k]` of every instance. */
import { LmEvalError } from '../../errors.ts';
import { describe, type FilterFactory } from './filter.ts';

export const takeFirstKFilter: FilterFactory = (kwargs) => {
  const k = kwargs.k;
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new LmEvalError(`filter 'take_first_k' needs an integer 'k', got ${JSON.stringify(k) ?? 'nothing'}`);
  return {
    apply(resps) {
      if (resps.length > 0) {
        const first = resps[0];
        const n = Array.isArray(first) || typeof first === 'string' ? first.length : NaN;
        if (!(n >= k)) {
          throw new LmEvalError(`filter 'take_first_k': need at least ${k} responses per doc to take the first ${k}, but got ${Number.isNaN(n) ? describe(first) : n}`, 'increase the task\'s repeats');
        }
      }
      // Python slicing: negative k counts from the end.
      return resps.map((r) => (typeof r === 'string' ? [...r].slice(0, k).join('') : (r as unknown[]).slice(0, k)));
    },
  };
};
