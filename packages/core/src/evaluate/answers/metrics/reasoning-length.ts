import type { MeasureMetricDef } from '../answer-metric.ts';

/** `reasoning_length`: characters (code points) of the reasoning returned apart from the answer (0 when there was none). */
export const reasoningLengthMetric: MeasureMetricDef = {
  kind: 'measure',
  name: 'reasoning_length',
  higherIsBetter: null,
  measure: (g) => ({ reasoning_length: g.reasoning === null ? 0 : [...g.reasoning].length }),
};
