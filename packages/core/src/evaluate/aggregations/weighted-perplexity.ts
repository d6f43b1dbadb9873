import { exp } from './libm.ts';
import { asFloat, num, pySum } from '../../python/numeric.ts';
import { unzipPairs } from './pairs.ts';
import type { AggregationDef } from './types.ts';

/** lm-eval `weighted_mean(items)`: `sum(ll) / sum(count)` over `(ll, count)` pairs. */
export function weightedMean(items: readonly unknown[], where: string): number {
  const [a, b] = unzipPairs(items, where);
  return pySum(a.map((v) => num(v, where))) / pySum(b.map((v) => num(v, where)));
}

/** `weighted_perplexity`: `exp(-Σll / Σcount)` over `(ll, count)` pairs. */
export const weightedPerplexity: AggregationDef = {
  name: 'weighted_perplexity',
  stderr: 'none',
  aggregate: (items) => asFloat(exp(-weightedMean(items, 'weighted_perplexity aggregation'))),
};
