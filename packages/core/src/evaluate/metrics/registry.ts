/**
 * Metric registry keyed by the names YAML `metric_list[].metric` uses, and resolution of a
 * task's metric list (lm_eval/api/registry.py `get_metric`, lm_eval/api/metrics.py `register_metric`). To add a metric: write `<name>.ts`
 * exporting a {@link MetricDef} and list it below.
 */
import { isPythonCallable, pythonMetricCompute } from '../../pyfn/session.ts';
import type { Profile } from '../../compat.ts';
import { LmEvalError } from '../../errors.ts';
import type { OutputType } from '../../task/config.ts';
import { aggregationNames, resolveAggregation, type ResolvedAggregation } from '../aggregations/registry.ts';
import { accAllMetric } from './acc-all.ts';
import { accBytesMetric } from './acc-bytes.ts';
import { accMutualInfoMetric } from './acc-mutual-info.ts';
import { accNormMetric } from './acc-norm.ts';
import { accMetric } from './acc.ts';
import { bitsPerByteMetric } from './bits-per-byte.ts';
import { bleuMetric } from './bleu.ts';
import { brierScoreMetric } from './brier-score.ts';
import { bypassMetric } from './bypass.ts';
import { bytePerplexityMetric } from './byte-perplexity.ts';
import { chrfMetric } from './chrf.ts';
import { exactMatchMetric } from './exact-match.ts';
import { f1Metric } from './f1.ts';
import { likelihoodMetric } from './likelihood.ts';
import { mccMetric } from './mcc.ts';
import { perplexityMetric } from './perplexity.ts';
import { terMetric } from './ter.ts';
import type { MetricCallArgs, MetricDef, MetricImpl } from './types.ts';
import { wordPerplexityMetric } from './word-perplexity.ts';
import { defaultRegistry } from '../../registry/registry.ts';
import { activeRegistry } from '../../registry/active.ts';

/** Registers (or replaces) a metric under `def.name`, process-wide (see `createRegistry` for a registry of your own). */
export function registerMetric(def: MetricDef): void {
  defaultRegistry.registerMetric(def);
}

for (const def of [
  accMetric,
  accNormMetric,
  accBytesMetric,
  accMutualInfoMetric,
  exactMatchMetric,
  perplexityMetric,
  likelihoodMetric,
  wordPerplexityMetric,
  bytePerplexityMetric,
  bitsPerByteMetric,
  brierScoreMetric,
  mccMetric,
  f1Metric,
  bleuMetric,
  chrfMetric,
  terMetric,
  accAllMetric,
  bypassMetric,
]) {
  registerMetric(def);
}

function available(def: MetricDef, profile: Profile): boolean {
  return !def.profiles || def.profiles.includes(profile);
}

/** The registered metric called `name` in `profile`, or undefined. */
export function getMetricDef(name: string, profile: Profile = 'latest'): MetricDef | undefined {
  const def = activeRegistry().metrics.get(name);
  return def && available(def, profile) ? def : undefined;
}

/** Names of the metrics known in `profile`, sorted. */
export function metricNames(profile: Profile = 'latest'): string[] {
  const table = activeRegistry().metrics;
  return table.names().filter((name) => available(table.get(name)!, profile));
}

/** Metric list used when a task has no `metric_list`. */
export const DEFAULT_METRICS: Readonly<Record<OutputType, readonly string[]>> = {
  loglikelihood: ['perplexity', 'acc'],
  loglikelihood_rolling: ['word_perplexity', 'byte_perplexity', 'bits_per_byte'],
  multiple_choice: ['acc', 'acc_norm'],
  generate_until: ['exact_match'],
};

const KEYWORD_MARK = Symbol.for('lm-eval.keywordMetric');

/**
 * Marks a JS metric function (`metric: !function ...`) as keyword-style: it is then called as
 * `fn({references, predictions, ...kwargs})` (Python `fn(references=..., predictions=..., **kw)`).
 * Unmarked functions are pass-through style and receive `[gold, result]`.
 */
export function keywordMetric<F extends (args: MetricCallArgs) => unknown>(fn: F): F {
  (fn as unknown as Record<symbol, boolean>)[KEYWORD_MARK] = true;
  return fn;
}

function customImpl(fn: (arg: never) => unknown): MetricImpl {
  if (isPythonCallable(fn)) return { compute: pythonMetricCompute(fn) as MetricImpl['compute'] };
  return (fn as unknown as Record<symbol, boolean>)[KEYWORD_MARK]
    ? { compute: fn as unknown as MetricImpl['compute'] }
    : { passthrough: fn as unknown as MetricImpl['passthrough'] };
}

/** One `metric_list` entry (structurally the task config's MetricConfig). */
export interface MetricSpec {
  metric: unknown;
  aggregation?: unknown;
  higher_is_better?: unknown;
  hf_evaluate?: unknown;
  [kwarg: string]: unknown;
}

/** A metric of a task, ready for scoring and aggregation. */
export interface ResolvedMetric {
  name: string;
  /** how to call the metric function; null when the task has a custom process_results */
  impl: MetricImpl | null;
  /** extra keys of the metric_list entry, passed to the metric function */
  kwargs: Record<string, unknown>;
  aggregation: ResolvedAggregation;
  /** from the entry, else the registry (null if unknown) */
  higherIsBetter: boolean | null;
}

export interface ResolveMetricsOptions {
  /** task name (for messages) */
  task: string;
  outputType: OutputType;
  /** `metric_list` as configured; null/undefined → the default list for the output type */
  metricList?: readonly MetricSpec[] | null;
  /** the task has its own `process_results` (metric functions are then not needed) */
  customProcessResults: boolean;
  profile: Profile;
}

const RESERVED = new Set(['metric', 'aggregation', 'higher_is_better', 'hf_evaluate']);

function unavailable(task: string, name: string, profile: Profile, viaHf: boolean): LmEvalError {
  const why = viaHf
    ? `'hf_evaluate: true' loads it from the Python HF evaluate library, which this port cannot run`
    : `it is not a built-in metric (lm-eval would try to load it from the Python HF evaluate library, which this port cannot run)`;
  return new LmEvalError(
    `task '${task}': metric '${name}' is not available: ${why}.`,
    `Built-in metrics: ${metricNames(profile).join(', ')}. Use one of them, give a !function metric, or score with a custom process_results.`,
  );
}

/**
 * Resolves a task's metric list like lm-eval's ConfigurableTask: metric functions, kwargs,
 * aggregations (configured, else the metric's default) and higher_is_better values.
 */
export function resolveMetricList(opts: ResolveMetricsOptions): { metrics: ResolvedMetric[]; warnings: string[] } {
  const { task, profile } = opts;
  const warnings: string[] = [];
  const out: ResolvedMetric[] = [];
  const list: readonly MetricSpec[] = opts.metricList ?? DEFAULT_METRICS[opts.outputType].map((m) => ({ metric: m }));
  list.forEach((entry, i) => {
    const where = `task '${task}': metric_list[${i}]`;
    const raw = entry.metric;
    let name: string;
    let impl: MetricImpl | null = null;
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) if (!RESERVED.has(k)) kwargs[k] = v;
    const isFn = typeof raw === 'function';
    if (isFn) name = (raw as { name?: string }).name || '<lambda>';
    else if (typeof raw === 'string') name = raw;
    else throw new LmEvalError(`${where}.metric: expected a metric name or a resolved !function, got ${String(raw)}`);
    const def = isFn ? undefined : getMetricDef(name, profile);
    if (!opts.customProcessResults) {
      if (isFn) impl = customImpl(raw as (arg: never) => unknown);
      else if (entry.hf_evaluate === true) throw unavailable(task, name, profile, true);
      else if (!def) throw unavailable(task, name, profile, false);
      else impl = def;
    }
    let aggregation: ResolvedAggregation;
    if (entry.aggregation !== undefined && entry.aggregation !== null) {
      aggregation = resolveAggregation(entry.aggregation, profile, `${where}.aggregation`);
    } else if (def) {
      aggregation = resolveAggregation(def.aggregation, profile, `${where}.aggregation`);
      if (opts.metricList) warnings.push(`[Task: ${task}] metric ${name} is defined, but aggregation is not. using default aggregation=${def.aggregation}`);
    } else {
      throw new LmEvalError(
        `${where}: metric '${name}' has no default aggregation; add 'aggregation:' to the entry.`,
        `Known aggregations: ${aggregationNames(profile).join(', ')}; or give a !function.`,
      );
    }
    let higherIsBetter: boolean | null;
    if ('higher_is_better' in entry && entry.higher_is_better !== undefined) higherIsBetter = entry.higher_is_better as boolean | null;
    else {
      higherIsBetter = def ? def.higherIsBetter : null;
      if (opts.metricList) warnings.push(`[Task: ${task}] metric ${name} is defined, but higher_is_better is not. using default higher_is_better=${higherIsBetter === null ? 'None' : higherIsBetter ? 'True' : 'False'}`);
    }
    out.push({ name, impl, kwargs, aggregation, higherIsBetter });
  });
  return { metrics: out, warnings };
}

/**
 * The aggregation for a per-doc result key. Keys returned by a custom process_results without a
 * metric_list entry: [latest] `mean` (with a warning); [v0.4.4] an error (Python KeyError).
 */
export function aggregationForKey(
  metrics: readonly ResolvedMetric[],
  key: string,
  profile: Profile,
  task = '?',
): { aggregation: ResolvedAggregation; warning?: string } {
  const m = metrics.find((x) => x.name === key);
  if (m) return { aggregation: m.aggregation };
  if (profile === 'latest') {
    return {
      aggregation: resolveAggregation('mean', profile),
      warning: `[Task: ${task}] metric '${key}' has no aggregation in metric_list; using mean`,
    };
  }
  throw new LmEvalError(
    `task '${task}': process_results returned '${key}', which has no entry in metric_list (lm-eval 0.4.4 fails here with a KeyError).`,
    `Add {metric: ${key}, aggregation: mean, higher_is_better: true} to the task's metric_list.`,
  );
}
