/**
 * `TaskConfig`: fields, defaults, validation and post-init normalisation (lm_eval/config/task.py `TaskConfig`;
 * v0.4.4: lm_eval/api/task.py).
 *
 * Python builds `TaskConfig(**config)`: unknown keys are a hard error; types are not checked by
 * the dataclass, so our type checks only reject values that could never work (a list where a
 * string is required, an unknown output_type, ...). Field sets and order differ per profile:
 * '0.4.4' is the MERA fork (adds `group`, `context_based`, `request_updater`, `storage_updater`),
 * 'latest' adds `custom_dataset`, `doc_to_audio`, `unsafe_code`, `gen_prefix`.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { isPlainObject, PyFloat, pyRepr, toNumber } from '../python/values.ts';
import { FunctionRef } from './yaml.ts';

/** A value that came from `!function` (resolved JS value, or an unresolved reference). */
export type TaskFunction = ((...args: never[]) => unknown) | FunctionRef | object;

export const OUTPUT_TYPES = ['loglikelihood', 'loglikelihood_rolling', 'multiple_choice', 'generate_until'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export interface MetricConfig {
  metric: string | TaskFunction;
  aggregation?: string | TaskFunction;
  higher_is_better?: boolean;
  hf_evaluate?: boolean;
  [kwarg: string]: unknown;
}

export interface FilterStep {
  function: string | TaskFunction;
  [kwarg: string]: unknown;
}

export interface FilterPipelineConfig {
  name: string;
  filter: FilterStep[];
}

/** `fewshot_config`: [latest] the FewshotConfig dataclass; [v0.4.4] a plain dict (extra keys kept). */
export interface FewshotConfig {
  sampler?: string | TaskFunction | null;
  split?: string | null;
  process_docs?: TaskFunction | null;
  fewshot_indices?: unknown;
  samples?: unknown[] | TaskFunction | null;
  doc_to_text?: unknown;
  doc_to_choice?: unknown;
  doc_to_target?: unknown;
  gen_prefix?: string | null;
  fewshot_delimiter?: string | null;
  target_delimiter?: string | null;
  /** [v0.4.4] extra keys read by custom samplers (MERA: query, doc_to_text_without_instruction, …). */
  [extra: string]: unknown;
}

/** Latest `FewshotConfig` dataclass fields, in dataclass order. */
export const FEWSHOT_FIELDS_LATEST = [
  'sampler',
  'split',
  'process_docs',
  'fewshot_indices',
  'samples',
  'doc_to_text',
  'doc_to_choice',
  'doc_to_target',
  'gen_prefix',
  'fewshot_delimiter',
  'target_delimiter',
] as const;

/** Every TaskConfig field of either profile. Values are raw YAML values or resolved functions. */
export interface TaskConfig {
  task?: string | null;
  task_alias?: string | null;
  tag?: string | string[] | null;
  /** [v0.4.4] deprecated synonym of `tag` in task files. */
  group?: string | string[] | null;
  /** [latest] `fn(**metadata, **dataset_kwargs) -> {split: rows}`. */
  custom_dataset?: TaskFunction | null;
  dataset_path?: string | null;
  dataset_name?: string | null;
  dataset_kwargs?: Record<string, unknown> | null;
  /** [v0.4.4 MERA fork] sequential context-based execution. */
  context_based?: boolean | null;
  request_updater?: TaskFunction | null;
  storage_updater?: TaskFunction | null;
  training_split?: string | null;
  validation_split?: string | null;
  test_split?: string | null;
  fewshot_split?: string | null;
  process_docs?: TaskFunction | null;
  doc_to_text?: unknown;
  doc_to_target?: unknown;
  doc_to_image?: unknown;
  doc_to_audio?: unknown;
  unsafe_code?: boolean;
  doc_to_choice?: unknown;
  process_results?: TaskFunction | null;
  use_prompt?: string | null;
  description: string;
  target_delimiter: string;
  fewshot_delimiter: string;
  fewshot_config?: FewshotConfig | null;
  num_fewshot?: number | null;
  metric_list?: MetricConfig[] | null;
  output_type: OutputType;
  generation_kwargs?: Record<string, unknown> | null;
  repeats: number;
  filter_list?: FilterPipelineConfig[] | null;
  should_decontaminate: boolean;
  doc_to_decontamination_query?: unknown;
  gen_prefix?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** Field order of TaskConfig per profile (= key order of `configs` in results files). */
export const TASK_FIELDS: Record<Profile, readonly (keyof TaskConfig)[]> = {
  latest: [
    'task', 'task_alias', 'tag', 'custom_dataset', 'dataset_path', 'dataset_name', 'dataset_kwargs',
    'training_split', 'validation_split', 'test_split', 'fewshot_split', 'process_docs', 'doc_to_text',
    'doc_to_target', 'doc_to_image', 'doc_to_audio', 'unsafe_code', 'doc_to_choice', 'process_results',
    'use_prompt', 'description', 'target_delimiter', 'fewshot_delimiter', 'fewshot_config', 'num_fewshot',
    'metric_list', 'output_type', 'generation_kwargs', 'repeats', 'filter_list', 'should_decontaminate',
    'doc_to_decontamination_query', 'gen_prefix', 'metadata',
  ],
  '0.4.4': [
    'task', 'task_alias', 'tag', 'group', 'dataset_path', 'dataset_name', 'dataset_kwargs', 'context_based',
    'request_updater', 'storage_updater', 'training_split', 'validation_split', 'test_split', 'fewshot_split',
    'process_docs', 'doc_to_text', 'doc_to_target', 'doc_to_image', 'doc_to_choice', 'process_results',
    'use_prompt', 'description', 'target_delimiter', 'fewshot_delimiter', 'fewshot_config', 'num_fewshot',
    'metric_list', 'output_type', 'generation_kwargs', 'repeats', 'filter_list', 'should_decontaminate',
    'doc_to_decontamination_query', 'metadata',
  ],
};

/** Dataclass defaults (fields not listed default to None). */
export function taskDefaults(profile: Profile): Partial<TaskConfig> {
  const d: Partial<TaskConfig> = {
    description: '',
    target_delimiter: ' ',
    fewshot_delimiter: '\n\n',
    output_type: 'generate_until',
    repeats: 1,
    should_decontaminate: false,
  };
  if (profile === 'latest') d.unsafe_code = false;
  return d;
}

// ---------------------------------------------------------------------------------------------
// Validation

type Check = (v: unknown) => boolean;
const isStr: Check = (v) => typeof v === 'string';
const isInt: Check = (v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
const isBool: Check = (v) => typeof v === 'boolean';
const isList: Check = (v) => Array.isArray(v);
const isDict: Check = (v) => isPlainObject(v);
/** A `!function` value: unresolved reference or a resolved JS function/class/object. */
const isFn: Check = (v) => v instanceof FunctionRef || typeof v === 'function' || (typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlainObject(v) && !(v instanceof PyFloat));
const isNum: Check = (v) => typeof v === 'number' || v instanceof PyFloat || typeof v === 'bigint';
const any: Check = () => true;

interface FieldRule {
  checks: Check[];
  allowed: string;
}
const rule = (allowed: string, ...checks: Check[]): FieldRule => ({ checks, allowed });
const strOrList: Check = (v) => isStr(v) || (isList(v) && (v as unknown[]).every(isStr));

const FIELD_RULES: Partial<Record<keyof TaskConfig, FieldRule>> = {
  task: rule('a string (the task name)', isStr),
  task_alias: rule('a string', isStr),
  tag: rule('a string or a list of strings', strOrList),
  group: rule('a string or a list of strings', strOrList),
  custom_dataset: rule('a !function', isFn),
  dataset_path: rule('a string', isStr),
  dataset_name: rule('a string', isStr, isNum),
  dataset_kwargs: rule('a mapping', isDict),
  context_based: rule('true or false', isBool),
  request_updater: rule('a !function', isFn),
  storage_updater: rule('a !function', isFn),
  training_split: rule('a split name (string)', isStr, isNum),
  validation_split: rule('a split name (string)', isStr, isNum),
  test_split: rule('a split name (string)', isStr, isNum),
  fewshot_split: rule('a split name (string)', isStr, isNum),
  process_docs: rule('a !function', isFn),
  doc_to_text: rule('a template/column string, an int or a !function', isStr, isInt, isFn),
  doc_to_target: rule('a template/column string, an int, a list or a !function', isStr, isInt, isList, isFn),
  doc_to_image: rule('a string, a list or a !function', isStr, isList, isFn),
  doc_to_audio: rule('a string, a list or a !function', isStr, isList, isFn),
  unsafe_code: rule('true or false', isBool),
  doc_to_choice: rule('a template/column string, a list, a mapping or a !function', isStr, isList, isDict, isFn),
  process_results: rule('a !function', isFn),
  use_prompt: rule('a string', isStr),
  description: rule('a string (template)', isStr),
  target_delimiter: rule('a string', isStr),
  fewshot_delimiter: rule('a string', isStr),
  fewshot_config: rule('a mapping', isDict),
  num_fewshot: rule('an integer', isInt),
  metric_list: rule('a list of mappings with a `metric` key', isList),
  output_type: rule(`one of ${OUTPUT_TYPES.join(', ')}`, (v) => OUTPUT_TYPES.includes(v as OutputType)),
  generation_kwargs: rule('a mapping', isDict),
  repeats: rule('a positive integer', (v) => isInt(v) && toNumber(v) >= 1),
  filter_list: rule('a list of {name, filter: [...]} mappings', isList),
  should_decontaminate: rule('true or false', isBool),
  doc_to_decontamination_query: rule('a string or a !function', isStr, isFn),
  gen_prefix: rule('a string (template or column)', isStr),
  metadata: rule('any value', any),
};

const MERA_KEYS = ['context_based', 'request_updater', 'storage_updater'];

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Up to `max` candidates closest to `name` (edit distance, then substring matches). */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d <= limit) scored.push([d, c]);
    else if (name.length >= 3 && c.toLowerCase().includes(name.toLowerCase())) scored.push([limit + 1, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return scored.slice(0, max).map((x) => x[1]);
}

function show(v: unknown): string {
  if (v instanceof FunctionRef) return v.toString();
  const s = pyRepr(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/**
 * Validates a task config dict (includes resolved, overrides applied). Throws ONE LmEvalError
 * listing every problem, naming the YAML file and the fields. `fewshot_config` extra keys and the
 * MERA keys are accepted under '0.4.4' only (that is what each lm-eval version accepts).
 */
export function validateTaskConfig(raw: Record<string, unknown>, profile: Profile, source: string): void {
  const fields = new Set<string>(TASK_FIELDS[profile]);
  const problems: string[] = [];
  const hints: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!fields.has(key)) {
      const near = closestNames(key, fields, 1);
      let p = `unknown key '${key}'`;
      if (near.length) p += ` (did you mean '${near[0]}'?)`;
      problems.push(p);
      if (profile === 'latest' && MERA_KEYS.includes(key))
        hints.push(`'${key}' exists only in the v0.4.4 MERA fork: pin this folder with a .lm-eval-profile file containing 0.4.4, or run with --compat 0.4.4`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const r = FIELD_RULES[key as keyof TaskConfig];
    if (r && !r.checks.some((c) => c(value))) problems.push(`'${key}' must be ${r.allowed}, got ${show(value)}`);
  }
  if (profile === '0.4.4' && raw.tag != null && raw.group != null && typeof raw.group === 'string')
    problems.push(`both 'tag' and the deprecated 'group' are set in a task file; keep only 'tag'`);
  if (Array.isArray(raw.metric_list)) {
    raw.metric_list.forEach((m, i) => {
      if (!isPlainObject(m) || !('metric' in m)) problems.push(`'metric_list[${i}]' must be a mapping with a 'metric' key, got ${show(m)}`);
      else if (!isStr(m.metric) && !isFn(m.metric)) problems.push(`'metric_list[${i}].metric' must be a metric name or a !function, got ${show(m.metric)}`);
    });
  }
  if (Array.isArray(raw.filter_list)) {
    raw.filter_list.forEach((f, i) => {
      if (!isPlainObject(f) || !Array.isArray(f.filter)) {
        problems.push(`'filter_list[${i}]' must be a mapping {name: ..., filter: [{function: ...}, ...]}, got ${show(f)}`);
        return;
      }
      f.filter.forEach((step, j) => {
        if (!isPlainObject(step) || !('function' in step))
          problems.push(`'filter_list[${i}].filter[${j}]' must be a mapping with a 'function' key, got ${show(step)}`);
      });
    });
  }
  if (isPlainObject(raw.fewshot_config) && profile === 'latest') {
    const allowed = new Set<string>(FEWSHOT_FIELDS_LATEST);
    for (const key of Object.keys(raw.fewshot_config)) {
      if (!allowed.has(key)) {
        problems.push(`unknown key 'fewshot_config.${key}' (allowed: ${FEWSHOT_FIELDS_LATEST.join(', ')})`);
        hints.push('extra fewshot_config keys are read by v0.4.4 custom samplers (MERA): pin this folder with a .lm-eval-profile file containing 0.4.4, or run with --compat 0.4.4');
      }
    }
  }
  if (problems.length > 0) {
    const hint = [...new Set(hints)].join('; ') || `Allowed keys: ${[...fields].join(', ')}.`;
    throw new LmEvalError(`${source}: invalid task config: ${problems.join('; ')}`, hint);
  }
}

// ---------------------------------------------------------------------------------------------
// Build: defaults + post-init normalisation

/**
 * `generation_kwargs` post-init normalisation (`TaskConfig.__post_init__`). Returns a new dict (or null/undefined when
 * none applies). Key order matters (cache keys, logged `arg_1`).
 */
export function normaliseGenerationKwargs(
  genKwargs: Record<string, unknown> | null | undefined,
  outputType: OutputType,
  fewshotDelimiter: string,
  profile: Profile,
  warn: (msg: string) => void = () => {},
): Record<string, unknown> | null | undefined {
  if (genKwargs != null) {
    const out = { ...genKwargs };
    if (outputType !== 'generate_until')
      warn(`generation_kwargs set for output_type '${outputType}'; they are only used by generate_until`);
    if ('temperature' in out) {
      const t = out.temperature;
      const n = typeof t === 'string' ? Number(t) : toNumber(t);
      out.temperature = Number.isInteger(n) ? new PyFloat(n) : n;
    }
    if (!('until' in out)) out.until = [fewshotDelimiter];
    return out;
  }
  if (outputType === 'generate_until') {
    return profile === 'latest'
      ? { temperature: new PyFloat(0), do_sample: false, max_gen_toks: 256, until: [fewshotDelimiter] }
      : { until: [fewshotDelimiter], do_sample: false };
  }
  return genKwargs;
}

/**
 * [latest] The FewshotConfig dataclass built from the task values overlaid with the YAML dict,
 * in dataclass order. [v0.4.4] the YAML dict unchanged (or null).
 */
export function buildFewshotConfig(cfg: TaskConfig, yamlFewshot: unknown, profile: Profile): FewshotConfig | null {
  if (profile === '0.4.4') return isPlainObject(yamlFewshot) ? { ...yamlFewshot } : null;
  const y = isPlainObject(yamlFewshot) ? yamlFewshot : {};
  const base: FewshotConfig = {
    sampler: 'default',
    split: cfg.fewshot_split ?? null,
    process_docs: cfg.process_docs ?? null,
    fewshot_indices: null,
    samples: null,
    doc_to_text: cfg.doc_to_text ?? null,
    doc_to_choice: cfg.doc_to_choice ?? null,
    doc_to_target: cfg.doc_to_target ?? null,
    gen_prefix: cfg.gen_prefix ?? null,
    fewshot_delimiter: cfg.fewshot_delimiter,
    target_delimiter: cfg.target_delimiter,
  };
  for (const k of FEWSHOT_FIELDS_LATEST) if (k in y) (base as Record<string, unknown>)[k] = y[k];
  return base;
}

export interface BuildTaskConfigOptions {
  profile: Profile;
  /** File (or "inline") named in error messages. */
  source: string;
  warn?: (msg: string) => void;
}

/**
 * Validates `raw` and returns the TaskConfig: defaults filled, keys in dataclass order,
 * generation_kwargs normalised, fewshot_config built per profile. `raw` is not modified.
 */
export function buildTaskConfig(raw: Record<string, unknown>, options: BuildTaskConfigOptions): TaskConfig {
  const { profile, source } = options;
  validateTaskConfig(raw, profile, source);
  const defaults = taskDefaults(profile) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of TASK_FIELDS[profile]) {
    if (f in raw) out[f] = raw[f];
    else if (f in defaults) out[f] = defaults[f];
    else out[f] = null;
  }
  // Explicit nulls for fields with defaults: the dataclass keeps None (e.g. `description: null`).
  const cfg = out as unknown as TaskConfig;
  cfg.generation_kwargs = normaliseGenerationKwargs(
    cfg.generation_kwargs as Record<string, unknown> | null,
    cfg.output_type,
    cfg.fewshot_delimiter,
    profile,
    options.warn,
  ) ?? null;
  cfg.fewshot_config = buildFewshotConfig(cfg, raw.fewshot_config, profile);
  return cfg;
}
