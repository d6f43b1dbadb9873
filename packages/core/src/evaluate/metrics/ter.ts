import { passThrough, type MetricDef } from './types.ts';

/** `ter`: registered with higher_is_better True by lm-eval (sic). Pass-through metric (the per-doc value comes from process_results); default aggregation `ter`. */
export const terMetric: MetricDef = {
  name: 'ter',
  higherIsBetter: true,
  aggregation: 'ter',
  outputTypes: ['generate_until'],
  passthrough: passThrough,
};
