import { passThrough, type MetricDef } from './types.ts';

/** `bits_per_byte`: pass-through metric (the per-doc value comes from process_results); default aggregation `bits_per_byte`. */
export const bitsPerByteMetric: MetricDef = {
  name: 'bits_per_byte',
  higherIsBetter: false,
  aggregation: 'bits_per_byte',
  outputTypes: ['loglikelihood_rolling'],
  passthrough: passThrough,
};
