import type { JudgeMetricDef } from '../answer-metric.ts';
import { gradeAgainstReference } from './reference-grading.ts';

/** `judge_exactness` (0/1): does the answer give the same answer as the reference? */
export const judgeExactnessMetric: JudgeMetricDef = {
  kind: 'judge',
  name: 'judge_exactness',
  higherIsBetter: true,
  needs: ['query', 'output_true'],
  parser: { type: 'binary' },
  template: gradeAgainstReference(
    `Does the answer to grade give the same answer as the reference (same facts, same conclusion; wording may differ)? Reply with a single digit: 1 if it does, 0 if it does not.`,
  ),
};
