import { passThrough, type MetricDef } from './types.ts';

/** `f1`: pass-through metric (the per-doc value comes from process_results); default aggregation `f1`. */
export const f1Metric: MetricDef = {
  name: 'f1',
  higherIsBetter: true,
  aggregation: 'f1',
  outputTypes: ['multiple_choice'],
  passthrough: passThrough,
};
