import type { MeasureMetricDef } from '../answer-metric.ts';

/** `output_length`: completion tokens as the backend counted them; `output_length_chars`: characters (code points) of the answer. */
export const outputLengthMetric: MeasureMetricDef = {
  kind: 'measure',
  name: 'output_length',
  higherIsBetter: null,
  extraKeys: ['output_length_chars'],
  measure: (g) => ({ output_length: g.completion_tokens, output_length_chars: [...g.output].length }),
};
