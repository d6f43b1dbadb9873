import { passThrough, type MetricDef } from './types.ts';

/** `acc_mutual_info`: pass-through metric (the per-doc value comes from process_results); default aggregation `mean`. */
export const accMutualInfoMetric: MetricDef = {
  name: 'acc_mutual_info',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['multiple_choice'],
  passthrough: passThrough,
};
