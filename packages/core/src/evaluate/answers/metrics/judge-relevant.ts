import type { JudgeMetricDef } from '../answer-metric.ts';

/** `judge_relevant` (0/1, alias `answer_relevancy`): does the answer address the question? No reference needed. */
export const judgeRelevantMetric: JudgeMetricDef = {
  kind: 'judge',
  name: 'judge_relevant',
  higherIsBetter: true,
  needs: ['query'],
  parser: { type: 'binary' },
  template: `You are checking whether an answer addresses the question it was given.
{% if context %}
Context given with the question:
{{ context }}
{% endif %}
Question:
{{ query }}

Answer:
{{ output }}

Does the answer address the question (whether or not it is correct)? Reply with a single digit: 1 if it does, 0 if it does not.`,
};

/** `answer_relevancy`: the same judge under EvalAP's name. */
export const answerRelevancyMetric: JudgeMetricDef = { ...judgeRelevantMetric, name: 'answer_relevancy' };
