import { passThrough, type MetricDef } from './types.ts';

/** `bleu`: pass-through metric (the per-doc value comes from process_results); default aggregation `bleu`. */
export const bleuMetric: MetricDef = {
  name: 'bleu',
  higherIsBetter: true,
  aggregation: 'bleu',
  outputTypes: ['generate_until'],
  passthrough: passThrough,
};
