import { passThrough, type MetricDef } from './types.ts';

/** `chrf`: pass-through metric (the per-doc value comes from process_results); default aggregation `chrf`. */
export const chrfMetric: MetricDef = {
  name: 'chrf',
  higherIsBetter: true,
  aggregation: 'chrf',
  outputTypes: ['generate_until'],
  passthrough: passThrough,
};
