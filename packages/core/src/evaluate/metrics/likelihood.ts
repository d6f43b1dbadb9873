import { passThrough, type MetricDef } from './types.ts';

/** `likelihood`: pass-through metric (the per-doc value comes from process_results); default aggregation `mean`. */
export const likelihoodMetric: MetricDef = {
  name: 'likelihood',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['multiple_choice'],
  profiles: ['latest'],
  passthrough: passThrough,
};
