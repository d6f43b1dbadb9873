import type { Profile } from '../../compat.ts';

/** How lm-eval computes the standard error of an aggregation (lm_eval/api/metrics.py `stderr_for_metric`). */
export type StderrKind =
  /** closed form `sample_stddev / sqrt(n)` */
  | 'mean'
  /** bootstrap resampling (lm-eval's `bootstrappable` list) */
  | 'bootstrap'
  /** no stderr: always "N/A" */
  | 'none';

/** A built-in aggregation: per-doc values → one number. */
export interface AggregationDef {
  /** the name used in YAML `aggregation:` */
  name: string;
  /** computes the aggregate; `profile` matters only for profile-dependent ones (median) */
  aggregate: (items: readonly unknown[], profile: Profile) => unknown;
  stderr: StderrKind;
  /** profiles that know this aggregation (default: all) */
  profiles?: readonly Profile[];
  /**
   * Optional fast path for the bootstrap: prepares the items once and returns a function that
   * aggregates the resample given by indices into `items`. Must return exactly what
   * `aggregate` returns for `indices.map(i => items[i])`.
   */
  resampler?: (items: readonly unknown[], profile: Profile) => (indices: ArrayLike<number>) => number;
}

/** A custom aggregation given as a JS function (YAML `aggregation: !function ...`). */
export type CustomAggregationFn = (items: unknown[]) => unknown;
