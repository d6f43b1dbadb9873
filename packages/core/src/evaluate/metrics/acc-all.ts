import { passThrough, type MetricDef } from './types.ts';

/** `acc_all` (SuperGLUE MultiRC, via a custom process_results): pass-through metric (the per-doc value comes from process_results); default aggregation `mean`. */
export const accAllMetric: MetricDef = {
  name: 'acc_all',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['loglikelihood'],
  passthrough: passThrough,
};
