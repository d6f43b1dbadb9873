/**
 * What a run changes in a task's config before anything is built from it (lm-eval's
 * `simple_evaluate`: `--num_fewshot`, `--gen_kwargs`, `--predict_only`), and the tasks a run
 * refuses. The loaded config is never changed: each function returns new values.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { PyFloat, toNumber } from '../python/values.ts';
import type { TaskConfig } from '../task/config.ts';

export type LoadedConfig = Readonly<TaskConfig>;

export interface RunOverrides {
  numFewshot?: number;
  genKwargs?: Record<string, unknown> | null;
  predictOnly: boolean;
}

/** Refuses a task that runs model-written code without `--confirm_run_unsafe_code`, or needs images/audio. */
export function checkRunnable(config: LoadedConfig, name: string, confirmRunUnsafeCode: boolean): void {
  if (config.unsafe_code === true && !confirmRunUnsafeCode) {
    throw new LmEvalError(
      `task '${name}' executes model-generated code (unsafe_code: true)`,
      'rerun with --confirm_run_unsafe_code to allow it (the code runs in a sandboxed subprocess)',
    );
  }
  if (config.doc_to_image != null || config.doc_to_audio != null) {
    throw new LmEvalError(`task '${name}' is multimodal (doc_to_image/doc_to_audio); text backends cannot run it`);
  }
}

/** The config the run evaluates: a copy of `config` with the run's overrides applied. */
export function withRunOverrides(config: LoadedConfig, name: string, overrides: RunOverrides, profile: Profile, warn: (message: string) => void): TaskConfig {
  const generation = overrides.genKwargs && config.output_type === 'generate_until' ? { generation_kwargs: mergedGenerationKwargs(config.generation_kwargs, overrides.genKwargs) } : {};
  const scoring = overrides.predictOnly ? predictOnlyScoring(profile) : {};
  return { ...config, num_fewshot: numFewshotOf(config, name, overrides.numFewshot, warn), ...generation, ...scoring };
}

/**
 * `--num_fewshot` unless the YAML sets 0 (then warned and ignored); a task without a default
 * runs (and is dumped) with 0, as simple_evaluate does.
 */
export function numFewshotOf(config: LoadedConfig, name: string, requested: number | undefined, warn: (message: string) => void): number {
  if (requested === undefined || requested === null) return config.num_fewshot ?? 0;
  if (config.num_fewshot !== 0) return requested;
  warn(`task '${name}': num_fewshot is 0 in its YAML; --num_fewshot ${requested} is ignored`);
  return 0;
}

/** The task's generation_kwargs updated with `--gen_kwargs`; an integral temperature becomes a float, as Python parses it. */
export function mergedGenerationKwargs(own: Readonly<Record<string, unknown>> | null | undefined, requested: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged = { ...(own ?? {}), ...requested };
  if (!('temperature' in merged)) return merged;
  const t = toNumber(merged.temperature);
  return { ...merged, temperature: Number.isInteger(t) ? new PyFloat(t) : t };
}

/** `--predict_only`: the `bypass` metric and no process_results ([latest] dumped as the method's name). */
function predictOnlyScoring(profile: Profile): Pick<TaskConfig, 'metric_list' | 'process_results'> {
  return { metric_list: [{ metric: 'bypass' }], process_results: (profile === 'latest' ? 'process_results' : null) as TaskConfig['process_results'] };
}

/** The raw YAML values the config dump reads `!function` sources from, as the overrides leave them. */
export function rawForDump(raw: Readonly<Record<string, unknown>>, overrides: Pick<RunOverrides, 'predictOnly'>): Record<string, unknown> {
  return overrides.predictOnly ? { ...raw, metric_list: [{ metric: 'bypass' }], process_results: undefined } : { ...raw };
}
