/**
 * Answer metric registry, keyed by the names `metric_list[].metric` and `--metrics` use. To add
 * one: write `metrics/<name>.ts` exporting an {@link AnswerMetricDef} and list it below. A
 * metric_list entry with a `judge_template` defines a judge metric under any new name.
 */
import type { AnswerMetricDef } from './answer-metric.ts';
import { defaultRegistry } from '../../registry/registry.ts';
import { activeRegistry } from '../../registry/active.ts';
import { generationTimeMetric } from './metrics/generation-time.ts';
import { judgeExactnessMetric } from './metrics/judge-exactness.ts';
import { judgeNotatorMetric } from './metrics/judge-notator.ts';
import { judgePrecisionMetric } from './metrics/judge-precision.ts';
import { answerRelevancyMetric, judgeRelevantMetric } from './metrics/judge-relevant.ts';
import { outputLengthMetric } from './metrics/output-length.ts';
import { reasoningLengthMetric } from './metrics/reasoning-length.ts';

/** Registers (or replaces) an answer metric under `def.name`, process-wide (see `createRegistry` for a registry of your own). */
export function registerAnswerMetric(def: AnswerMetricDef): void {
  defaultRegistry.registerAnswerMetric(def);
}

for (const def of [
  judgeExactnessMetric,
  judgeNotatorMetric,
  judgePrecisionMetric,
  judgeRelevantMetric,
  answerRelevancyMetric,
  outputLengthMetric,
  generationTimeMetric,
  reasoningLengthMetric,
]) {
  registerAnswerMetric(def);
}

export function getAnswerMetric(name: string): AnswerMetricDef | undefined {
  return activeRegistry().answerMetrics.get(name);
}

export function answerMetricNames(): string[] {
  return activeRegistry().answerMetrics.names();
}
