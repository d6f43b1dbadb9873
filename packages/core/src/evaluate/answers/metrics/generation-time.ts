import type { MeasureMetricDef } from '../answer-metric.ts';

/** `generation_time`: wall-clock seconds of the request that produced the answer (None when the backend does not measure it). */
export const generationTimeMetric: MeasureMetricDef = {
  kind: 'measure',
  name: 'generation_time',
  higherIsBetter: false,
  measure: (g) => ({ generation_time: g.latency_s }),
};
