import type { JudgeMetricDef } from '../answer-metric.ts';

/** `judge_precision` (0/1): is the reference's key information present and correct in the answer? */
export const judgePrecisionMetric: JudgeMetricDef = {
  kind: 'judge',
  name: 'judge_precision',
  higherIsBetter: true,
  needs: ['query', 'output_true'],
  parser: { type: 'binary' },
  template: `You are checking an answer for the key information of a reference answer.

Question:
{{ query }}

Reference answer:
{{ output_true }}

Answer to check:
{{ output }}

Is the key information of the reference answer present in the answer to check, and stated correctly there (extra details do not matter)? Reply with a single digit: 1 if yes, 0 if no.`,
};
