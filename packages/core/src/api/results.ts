/**
 * Typed results for library users: lm-eval's results document (`results_<date>.json`,
 * lm_eval/evaluator.py `simple_evaluate` + lm_eval/loggers/evaluation_tracker.py) with every number
 * a plain JS number. Python-exact float formatting (`1.0`, `NaN`) only matters in the files the
 * harness writes; here `1.0` is `1` and a Python int is a number (or a bigint beyond 2^53).
 */
import { PyFloat } from '../python/values.ts';

/** One task's or group's entry of `results` / `groups`: `"<metric>,<filter>"` and `"<metric>_stderr,<filter>"` keys. */
export interface TaskResult {
  /** Display name (groups: their alias; subtasks are indented in the printed table). */
  alias?: string;
  /** Metric values; `"N/A"` for a stderr that was not computed. */
  [metricAndFilter: string]: number | string | null | undefined;
}

/** The samples behind a task's numbers (`n-samples`). */
export interface SampleCounts {
  original: number;
  effective: number;
}

/** lm-eval's results document, numbers as JS numbers. Keys not listed here are kept as read. */
export interface Results {
  results: Record<string, TaskResult>;
  groups?: Record<string, TaskResult>;
  group_subtasks?: Record<string, string[]>;
  /** each task's resolved YAML config */
  configs: Record<string, Record<string, unknown>>;
  versions: Record<string, number | string | null>;
  'n-shot': Record<string, number | null>;
  higher_is_better: Record<string, Record<string, boolean | null>>;
  'n-samples'?: Record<string, SampleCounts>;
  /** the run's settings: model, model_args, batch_size, device, limit, bootstrap_iters, gen_kwargs, seeds, ... */
  config: Record<string, unknown>;
  git_hash?: string | null;
  date?: number;
  model_name?: string;
  model_name_sanitized?: string;
  [key: string]: unknown;
}

/**
 * One sample record (a line of `samples_<task>_<date>.jsonl`, lm_eval/evaluator.py): the doc, its
 * requests' arguments and responses, the filtered responses, the hashes and each metric's value.
 */
export interface SampleRecord {
  doc_id: number;
  doc: Record<string, unknown>;
  target: string;
  /** `gen_args_<i>` → `arg_<j>` → the request's arguments */
  arguments: Record<string, Record<string, unknown>>;
  resps: unknown[];
  filtered_resps: unknown[];
  /** latest profile: the filter and the metric names */
  filter?: string;
  metrics?: string[];
  doc_hash: string;
  prompt_hash: string;
  target_hash: string;
  /** metric name → this sample's value */
  [metric: string]: unknown;
}

/**
 * A deep copy with Python float wrappers as plain numbers and tuples as plain arrays (ints beyond
 * 2^53 stay bigint). Objects of other classes are copied by their own enumerable fields.
 */
export function toPlain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return Array.from(v, toPlain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toPlain(x)]));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}
