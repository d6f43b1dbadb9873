/**
 * `@lm-eval/core/metrics`: metrics, aggregations and filters as YAML names them, standard errors
 * and group aggregation — what recomputing results from per-sample rows needs.
 * @module
 */
export {
  registerMetric,
  resolveMetricList,
  aggregationForKey,
  type MetricSpec,
  type ResolvedMetric,
  type ResolveMetricsOptions,
} from './evaluate/metrics/registry.ts';
export type { MetricDef, MetricImpl, MetricCallArgs } from './evaluate/metrics/types.ts';
export { registerAggregation } from './evaluate/aggregations/registry.ts';
export type { AggregationDef, CustomAggregationFn, StderrKind } from './evaluate/aggregations/types.ts';
export { registerFilter, buildFilterPipelines, regexExtract, type Filter, type FilterContext, type FilterDoc, type FilterFactory } from './evaluate/filters/index.ts';
export { registerAnswerMetric } from './evaluate/answers/registry.ts';
export type { AnswerMetricDef } from './evaluate/answers/answer-metric.ts';
export { registerReplyParser, type ReplyParser, type ParserOptions } from './evaluate/answers/judge-parsers.ts';
export { stderrOf, type StderrValue } from './evaluate/stderr.ts';
export { aggregateGroup, groupEntry, type GroupAggMetric, type GroupAggregate, type LeafResult } from './evaluate/group-aggregate.ts';
