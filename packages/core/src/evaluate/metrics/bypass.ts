import type { MetricDef } from './types.ts';

/** `bypass` (used by --predict_only): scores every doc as None; aggregation `bypass` → 999. */
export const bypassMetric: MetricDef = {
  name: 'bypass',
  higherIsBetter: true,
  aggregation: 'bypass',
  outputTypes: ['loglikelihood', 'loglikelihood_rolling', 'multiple_choice', 'generate_until'],
  passthrough: () => null,
};
