import type { Profile } from '../../compat.ts';
import type { OutputType } from '../../task/config.ts';

/** Keyword arguments of an HF-evaluate-style metric call: `fn(references=..., predictions=..., **kwargs)`. */
export interface MetricCallArgs {
  references: unknown[];
  predictions: unknown[];
  [kwarg: string]: unknown;
}

/**
 * How a metric function can be called, mirroring lm-eval's two calling conventions: built-in
 * `generate_until` scoring first tries the keyword form and, when that raises a TypeError (or is
 * absent), calls the pass-through form with `[gold, result]`.
 */
export interface MetricImpl {
  /** keyword form; absent for pass-through metrics (Python raises TypeError on keywords) */
  compute?: (args: MetricCallArgs) => unknown;
  /** positional form `fn(items)` */
  passthrough?: (items: unknown) => unknown;
}

/** A registered metric (lm_eval/api/registry.py `register_metric`). */
export interface MetricDef extends MetricImpl {
  /** the name used in YAML `metric_list[].metric` */
  name: string;
  higherIsBetter: boolean;
  /** default aggregation name */
  aggregation: string;
  /** output types it is registered for (informational) */
  outputTypes: readonly OutputType[];
  /** profiles that know this metric (default: all) */
  profiles?: readonly Profile[];
}

/** lm-eval's pass-through metric functions return their input. */
export const passThrough = (items: unknown): unknown => items;
