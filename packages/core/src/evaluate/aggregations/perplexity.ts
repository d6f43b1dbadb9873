import { exp } from './libm.ts';
import { asFloat, num, pyMean } from '../../python/numeric.ts';
import type { AggregationDef } from './types.ts';

/** `perplexity`: `exp(-mean(ll))`. */
export const perplexity: AggregationDef = {
  name: 'perplexity',
  stderr: 'bootstrap',
  aggregate: (items) => asFloat(exp(-pyMean(items.map((v) => num(v, 'perplexity aggregation'))))),
  resampler: (items) => {
    const xs = items.map((v) => num(v, 'perplexity aggregation'));
    return (idx) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += xs[idx[i]];
      return exp(-(s / idx.length));
    };
  },
};
