import { asFloat, num, pyMean } from '../../python/numeric.ts';
import type { AggregationDef } from './types.ts';

/** `mean`: `sum(x) / len(x)`, Python float sum left to right. */
export const mean: AggregationDef = {
  name: 'mean',
  stderr: 'mean',
  aggregate: (items) => asFloat(pyMean(items.map((v) => num(v, 'mean aggregation')))),
};
