import { passThrough, type MetricDef } from './types.ts';

/** `acc_norm`: pass-through metric (the per-doc value comes from process_results); default aggregation `mean`. */
export const accNormMetric: MetricDef = {
  name: 'acc_norm',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['loglikelihood', 'multiple_choice'],
  passthrough: passThrough,
};
