import { passThrough, type MetricDef } from './types.ts';

/** `mcc`: pass-through metric (the per-doc value comes from process_results); default aggregation `matthews_corrcoef`. */
export const mccMetric: MetricDef = {
  name: 'mcc',
  higherIsBetter: true,
  aggregation: 'matthews_corrcoef',
  outputTypes: ['multiple_choice'],
  passthrough: passThrough,
};
