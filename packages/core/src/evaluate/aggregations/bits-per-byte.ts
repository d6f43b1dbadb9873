import { asFloat } from '../../python/numeric.ts';
import type { AggregationDef } from './types.ts';
import { weightedMean } from './weighted-perplexity.ts';

/** `bits_per_byte`: `-(Σll / Σbytes) / ln 2` over `(ll, bytes)` pairs. */
export const bitsPerByte: AggregationDef = {
  name: 'bits_per_byte',
  stderr: 'none',
  aggregate: (items) => asFloat(-weightedMean(items, 'bits_per_byte aggregation') / Math.LN2),
};
