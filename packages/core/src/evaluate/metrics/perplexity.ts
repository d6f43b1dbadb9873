import { passThrough, type MetricDef } from './types.ts';

/** `perplexity`: pass-through metric (the per-doc value comes from process_results); default aggregation `perplexity`. */
export const perplexityMetric: MetricDef = {
  name: 'perplexity',
  higherIsBetter: false,
  aggregation: 'perplexity',
  outputTypes: ['loglikelihood'],
  passthrough: passThrough,
};
