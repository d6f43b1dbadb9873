import { passThrough, type MetricDef } from './types.ts';

/** `brier_score`: pass-through metric (the per-doc value comes from process_results); default aggregation `brier_score`. */
export const brierScoreMetric: MetricDef = {
  name: 'brier_score',
  higherIsBetter: false,
  aggregation: 'brier_score',
  outputTypes: ['multiple_choice'],
  passthrough: passThrough,
};
