import type { JudgeMetricDef } from '../answer-metric.ts';
import { gradeAgainstReference } from './reference-grading.ts';

/** `judge_notator` (1–10): how close in meaning is the answer to the reference? */
export const judgeNotatorMetric: JudgeMetricDef = {
  kind: 'judge',
  name: 'judge_notator',
  higherIsBetter: true,
  needs: ['query', 'output_true'],
  parser: { type: 'number', min: 1, max: 10 },
  template: gradeAgainstReference(
    `Rate how close the meaning of the answer to grade is to the reference answer, from 1 (unrelated or contradicting it) to 10 (says the same thing). Reply with the number only.`,
  ),
};
