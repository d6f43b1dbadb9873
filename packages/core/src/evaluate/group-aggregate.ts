/**
 * Group aggregation (lm_eval/api/metrics.py `aggregate_subtask_metrics`, `pooled_sample_stderr`): combines the results of the leaf tasks under
 * a group into the group's metrics. Pure functions over plain result dicts.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { isNumberLike, pyRepr, pyStr, toNumber } from '../python/values.ts';
import { asFloat } from '../python/numeric.ts';
import type { StderrValue } from './stderr.ts';

/** A custom group aggregation (`aggregation: !function`): `fn(values, sizes, weight_by_size)`. */
export type GroupAggregationFn = (values: number[], sizes: number[], weightBySize: boolean) => unknown;

/**
 * One `aggregate_metric_list` entry (structurally the task loader's GroupAggMetric; defaults
 * are applied here when fields are missing).
 */
export interface GroupAggMetric {
  metric: string;
  /** "mean" (default) or a resolved function `fn(values, sizes, weight_by_size)` */
  aggregation?: unknown;
  /** default: [v0.4.4] false, [latest] true */
  weight_by_size?: boolean | null;
  /** default: [v0.4.4] "none", [latest] every filter found in the leaves */
  filter_list?: string | string[] | null;
}

/** The results of one leaf task under the group. */
export interface LeafResult {
  name: string;
  /** the task's results entry: `"<metric>,<filter>"` and `"<metric>_stderr,<filter>"` keys */
  results: Record<string, unknown>;
  /** the task's sample_len (number of scored docs) */
  sampleLen: number;
}

export interface GroupAggregate {
  /** `"<metric>,<filter>"` and `"<metric>_stderr,<filter>"` pairs, in config order */
  metrics: Array<[string, unknown]>;
  /** [latest] Σ sample_len over all leaves */
  sampleLen: number;
  /** [latest] `{"<metric>,<filter>": Σ s_i}` */
  sampleCount: Record<string, number>;
  warnings: string[];
}

/**
 * lm-eval `aggregate_subtask_metrics`: `Σ v_i·w_i / Σ w_i` (Python float sums, left to right)
 * with `w_i = s_i` when weighting by size, else 1.
 */
export function aggregateSubtaskMetrics(values: readonly number[], sizes: readonly number[], weightBySize: boolean): number {
  const w = weightBySize ? sizes : sizes.map(() => 1);
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    num += values[i] * w[i];
    den += w[i];
  }
  return num / den;
}

/**
 * lm-eval `pooled_sample_stderr`: `sqrt(Σ (s_i − 1)·e_i²·s_i / (Σs_i − k) / Σs_i)`.
 * (`e_i²` as `e·e`; CPython's `e ** 2` uses libm pow, which may differ in the last bit.)
 */
export function pooledSampleStderr(stderrs: readonly number[], sizes: readonly number[]): number {
  let num = 0;
  let total = 0;
  for (let i = 0; i < stderrs.length; i++) {
    num += (sizes[i] - 1) * (stderrs[i] * stderrs[i]) * sizes[i];
    total += sizes[i];
  }
  const pooledVar = num / (total - sizes.length);
  return Math.sqrt(pooledVar / total);
}

function splitKey(key: string): [string, string] | null {
  const c = key.indexOf(',');
  return c < 0 ? null : [key.slice(0, c), key.slice(c + 1)];
}

/** The filters to aggregate for one entry: explicit list, or (latest, unset) all found, sorted. */
export function groupFilters(cfg: GroupAggMetric, leaves: readonly LeafResult[], profile: Profile): string[] {
  const fl = cfg.filter_list;
  if (typeof fl === 'string') return [fl];
  if (Array.isArray(fl)) return fl;
  if (profile === '0.4.4') return ['none'];
  const found = new Set<string>();
  for (const leaf of leaves) {
    for (const key of Object.keys(leaf.results)) {
      const kv = splitKey(key);
      if (kv && kv[0] === cfg.metric) found.add(kv[1]);
    }
  }
  return [...found].sort();
}

/**
 * Aggregates the group's `aggregate_metric_list` over all leaf tasks under it (recursively, in
 * task order). Per entry and filter, over the leaves having `"<metric>,<filter>"`: the (weighted)
 * mean of the values and the pooled stderr ("N/A" if any leaf's stderr is "N/A" or missing).
 */
export function aggregateGroup(
  group: string,
  aggregateMetricList: readonly GroupAggMetric[],
  leaves: readonly LeafResult[],
  profile: Profile,
): GroupAggregate {
  const metrics: Array<[string, unknown]> = [];
  const sampleCount: Record<string, number> = {};
  const warnings: string[] = [];
  for (const cfg of aggregateMetricList) {
    const aggregation = cfg.aggregation ?? 'mean';
    if (aggregation !== 'mean' && typeof aggregation !== 'function') {
      throw new LmEvalError(
        `group '${group}': aggregate_metric_list aggregation ${typeof aggregation === 'string' ? pyRepr(aggregation) : String(aggregation)} is not supported`,
        `Only 'mean' or a !function are allowed for group aggregation.`,
      );
    }
    const weightBySize = cfg.weight_by_size ?? profile === 'latest';
    for (const filter of groupFilters(cfg, leaves, profile)) {
      const key = `${cfg.metric},${filter}`;
      const stderrKey = `${cfg.metric}_stderr,${filter}`;
      const having = leaves.filter((l) => key in l.results);
      if (having.length === 0) {
        warnings.push(`group '${group}': no subtask has metric '${key}'; it is not aggregated`);
        continue;
      }
      if (having.length < leaves.length) {
        const missing = leaves.filter((l) => !(key in l.results)).map((l) => l.name);
        warnings.push(`group '${group}': subtasks without '${key}' are left out of its aggregate: ${missing.join(', ')}`);
      }
      const values = having.map((l) => {
        const v = l.results[key];
        if (!isNumberLike(v)) throw new LmEvalError(`group '${group}': '${key}' of task '${l.name}' is not a number (${pyRepr(v)}); it cannot be averaged`);
        return toNumber(v);
      });
      const sizes = having.map((l) => l.sampleLen);
      const value =
        typeof aggregation === 'function' ? (aggregation as GroupAggregationFn)(values, sizes, weightBySize) : asFloat(aggregateSubtaskMetrics(values, sizes, weightBySize));
      const errs = having.map((l) => l.results[stderrKey]);
      let stderr: StderrValue;
      if (errs.some((e) => e === 'N/A' || e === undefined || !isNumberLike(e))) stderr = 'N/A';
      else stderr = asFloat(pooledSampleStderr(errs.map((e) => toNumber(e)), sizes));
      metrics.push([key, value], [stderrKey, stderr]);
      sampleCount[key] = sizes.reduce((a, b) => a + b, 0);
    }
  }
  const sampleLen = leaves.reduce((a, l) => a + l.sampleLen, 0);
  return { metrics, sampleLen, sampleCount, warnings };
}

/**
 * The group's entry in `results` (and `groups`):
 * [latest] `alias`, `name`, `sample_len`, metric/stderr pairs, `sample_count`; a group without
 * `aggregate_metric_list` gets only `alias` and `name`.
 * [v0.4.4] metric/stderr pairs then `alias`; without aggregation the odd `{" ": " ", "alias": …}`.
 */
export function groupEntry(name: string, alias: string | null | undefined, agg: GroupAggregate | null, profile: Profile): Record<string, unknown> {
  const a = alias ?? name;
  const out: Record<string, unknown> = {};
  if (profile === 'latest') {
    out.alias = a;
    out.name = name;
    if (!agg) return out;
    out.sample_len = agg.sampleLen;
    for (const [k, v] of agg.metrics) out[k] = v;
    out.sample_count = { ...agg.sampleCount };
    return out;
  }
  if (!agg) {
    out[' '] = ' ';
    out.alias = a;
    return out;
  }
  for (const [k, v] of agg.metrics) out[k] = v;
  out.alias = a;
  return out;
}

/** `versions[group]`: [latest] `str(metadata.version)` or "N/A"; [v0.4.4] the raw value or null. */
export function groupVersion(metadata: Record<string, unknown> | null | undefined, profile: Profile): unknown {
  const v = metadata?.version;
  if (profile === 'latest') return v === undefined || v === null ? 'N/A' : pyStr(v);
  return v ?? null;
}

/**
 * `higher_is_better[group]`: union of the children's maps; a metric whose children disagree
 * becomes null (and stays null).
 */
export function mergeHigherIsBetter(
  group: string,
  children: ReadonlyArray<Record<string, boolean | null>>,
): { merged: Record<string, boolean | null>; warnings: string[] } {
  const merged: Record<string, boolean | null> = {};
  const warnings: string[] = [];
  for (const child of children) {
    for (const [m, h] of Object.entries(child)) {
      if (!(m in merged)) merged[m] = h;
      if (merged[m] !== null && merged[m] !== h) {
        warnings.push(`Higher_is_better values for metric ${m} in group ${group} are not consistent. Defaulting to None.`);
        merged[m] = null;
      }
    }
  }
  return { merged, warnings };
}

/** [latest] `n-shot[group]`: the children's common n-shot, or undefined when they differ. */
export function groupNShot(childNShots: readonly unknown[]): unknown {
  if (childNShots.length === 0) return undefined;
  const first = childNShots[0];
  return childNShots.every((v) => v === first || (isNumberLike(v) && isNumberLike(first) && toNumber(v) === toNumber(first))) ? first : undefined;
}
