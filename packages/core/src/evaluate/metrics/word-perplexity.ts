import { passThrough, type MetricDef } from './types.ts';

/** `word_perplexity`: pass-through metric (the per-doc value comes from process_results); default aggregation `weighted_perplexity`. */
export const wordPerplexityMetric: MetricDef = {
  name: 'word_perplexity',
  higherIsBetter: false,
  aggregation: 'weighted_perplexity',
  outputTypes: ['loglikelihood_rolling'],
  passthrough: passThrough,
};
