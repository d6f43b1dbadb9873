import { passThrough, type MetricDef } from './types.ts';

/** `acc`: pass-through metric (the per-doc value comes from process_results); default aggregation `mean`. */
export const accMetric: MetricDef = {
  name: 'acc',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['loglikelihood', 'multiple_choice'],
  passthrough: passThrough,
};
