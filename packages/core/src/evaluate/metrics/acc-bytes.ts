import { passThrough, type MetricDef } from './types.ts';

/** `acc_bytes`: pass-through metric (the per-doc value comes from process_results); default aggregation `mean`. */
export const accBytesMetric: MetricDef = {
  name: 'acc_bytes',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['loglikelihood', 'multiple_choice'],
  profiles: ['latest'],
  passthrough: passThrough,
};
