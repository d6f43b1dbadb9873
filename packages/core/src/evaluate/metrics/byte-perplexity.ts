import { passThrough, type MetricDef } from './types.ts';

/** `byte_perplexity`: pass-through metric (the per-doc value comes from process_results); default aggregation `weighted_perplexity`. */
export const bytePerplexityMetric: MetricDef = {
  name: 'byte_perplexity',
  higherIsBetter: false,
  aggregation: 'weighted_perplexity',
  outputTypes: ['loglikelihood_rolling'],
  passthrough: passThrough,
};
