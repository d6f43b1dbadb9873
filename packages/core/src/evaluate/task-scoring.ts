/**
 * How a task scores its documents (lm-eval's `ConfigurableTask` metric set-up and
 * `process_results`): filter pipelines, the metric_list resolved (answer metrics apart), each
 * result key's aggregation and direction. Built before the data is loaded, so a wrong name fails
 * without a download.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import type { Doc, DocAccessors } from '../prompt/task-view.ts';
import { isPlainObject } from '../python/values.ts';
import type { TaskConfig } from '../task/config.ts';
import { resolveAggregation } from './aggregations/registry.ts';
import { isAnswerMetricEntry, resolveAnswerMetric, type ResolvedAnswerMetric } from './answers/resolve.ts';
import type { FilterPipeline, MetricAggregation } from './eval-task.ts';
import { buildFilterPipelines } from './filters/index.ts';
import { aggregationForKey, resolveMetricList, type MetricSpec, type ResolvedMetric } from './metrics/registry.ts';
import { builtinProcessResults } from './process-results.ts';

type ProcessResultsFn = (doc: Doc, results: unknown[]) => Record<string, unknown>;

export interface TaskScoring {
  filters: FilterPipeline[];
  metrics: ResolvedMetric[];
  /** metrics scored on the generations after the model ran (judges, lengths, times) */
  answerMetrics: ResolvedAnswerMetric[];
  /** the task's own process_results, if any */
  customProcessResults: ProcessResultsFn | null;
  /**
   * higher_is_better per result key; keys a metric function's dict result adds (see
   * {@link TaskScoring.onExpand}) are added as they are met
   */
  higherIsBetter: Record<string, boolean | null>;
  /** a metric function returned a dict: `key` inherits `source`'s aggregation and direction */
  onExpand(source: string, key: string): void;
  aggregationFor(key: string): MetricAggregation;
}

export interface ScoringOptions {
  confirmRunUnsafeCode: boolean;
  warn?: (message: string) => void;
}

export function taskScoring(config: Readonly<TaskConfig>, name: string, profile: Profile, options: ScoringOptions): TaskScoring {
  const filters = buildFilterPipelines(config.filter_list ?? undefined, { profile, confirmRunUnsafeCode: options.confirmRunUnsafeCode, where: `task '${name}'` });
  const customProcessResults = typeof config.process_results === 'function' ? (config.process_results as ProcessResultsFn) : null;
  const { answerMetrics, otherEntries } = splitAnswerMetrics(name, config.output_type, (config.metric_list as MetricSpec[] | null) ?? null);
  const { metrics, warnings } = resolveMetricList({ task: name, outputType: config.output_type, metricList: otherEntries, customProcessResults: customProcessResults !== null, profile });
  for (const w of warnings) options.warn?.(w);
  const higherIsBetter = higherIsBetterOf(metrics, answerMetrics);
  const answerKeys = new Set(answerMetrics.flatMap((m) => m.keys));
  const expandedFrom = new Map<string, string>();
  const warnedKeys = new Set<string>();
  return {
    filters,
    metrics,
    answerMetrics,
    customProcessResults,
    higherIsBetter,
    onExpand: (source, key) => {
      if (metrics.some((m) => m.name === key) || expandedFrom.has(key)) return;
      expandedFrom.set(key, source);
      if (source in higherIsBetter && !(key in higherIsBetter)) higherIsBetter[key] = higherIsBetter[source];
    },
    aggregationFor: (key) => {
      if (answerKeys.has(key)) return meanAggregation(profile);
      const { aggregation, warning } = aggregationForKey(metrics, expandedFrom.get(key) ?? key, profile, name);
      if (warning && !warnedKeys.has(key)) {
        warnedKeys.add(key);
        options.warn?.(warning);
      }
      return { name: aggregation.builtin ? aggregation.name : null, fn: aggregation.aggregate as (items: unknown[]) => unknown };
    },
  };
}

function meanAggregation(profile: Profile): MetricAggregation {
  const mean = resolveAggregation('mean', profile);
  return { name: mean.name, fn: mean.aggregate as (items: unknown[]) => unknown };
}

/** higher_is_better of the metrics, then of the answer metrics' keys (null for their companion keys). */
function higherIsBetterOf(metrics: readonly ResolvedMetric[], answerMetrics: readonly ResolvedAnswerMetric[]): Record<string, boolean | null> {
  const out: Record<string, boolean | null> = {};
  for (const m of metrics) out[m.name] = m.higherIsBetter;
  for (const m of answerMetrics) for (const k of m.keys) out[k] = k === m.name ? m.higherIsBetter : null;
  return out;
}

/** Separates the answer-metric entries of a metric_list from the others (null stays null: the defaults). */
export function splitAnswerMetrics(task: string, outputType: string, list: MetricSpec[] | null): { answerMetrics: ResolvedAnswerMetric[]; otherEntries: MetricSpec[] | null } {
  if (!list) return { answerMetrics: [], otherEntries: null };
  const answerMetrics: ResolvedAnswerMetric[] = [];
  const otherEntries: MetricSpec[] = [];
  list.forEach((entry, i) => {
    if (!isPlainObject(entry) || !isAnswerMetricEntry(entry)) {
      otherEntries.push(entry);
      return;
    }
    const where = `task '${task}': metric_list[${i}]`;
    if (outputType !== 'generate_until') {
      throw new LmEvalError(`${where}: '${String(entry.metric)}' scores generated answers; the task's output_type is ${outputType}`, 'use answer metrics with output_type: generate_until');
    }
    answerMetrics.push(resolveAnswerMetric(entry, where));
  });
  return { answerMetrics, otherEntries };
}

export interface DocScoringContext {
  name: string;
  profile: Profile;
  outputType: TaskConfig['output_type'];
  /** the evaluated doc's accessors */
  accessors: DocAccessors;
  hasChoice: boolean;
  multipleInput: boolean;
  multipleTarget: boolean;
  warn?: (message: string) => void;
}

/** The task's per-doc scoring: its own process_results, else the built-in one against the doc's target and choices. */
export function processResultsOf(scoring: TaskScoring, ctx: DocScoringContext): ProcessResultsFn {
  const custom = scoring.customProcessResults;
  if (custom) return (doc, results) => custom(doc, results);
  const { accessors } = ctx;
  return (doc, results) =>
    builtinProcessResults(
      {
        task: ctx.name,
        outputType: ctx.outputType,
        metrics: scoring.metrics,
        profile: ctx.profile,
        target: ctx.outputType === 'multiple_choice' && ctx.multipleInput ? accessors.docToText(doc) : accessors.docToTarget(doc),
        choices: ctx.hasChoice ? (accessors.docToChoice(doc) ?? null) : null,
        multipleTarget: ctx.multipleTarget,
        onWarning: ctx.warn,
        onExpand: scoring.onExpand,
      },
      results,
    );
}
