/**
 * The experiment plan: what an experiment file means once parsed — models (with their endpoints),
 * tasks, and the list of experiments (model × settings × repeat), each with a stable folder name
 * and its seeds. Every file shape (native, EvalAP, DeathMath) ends up as one of these.
 */

export interface EndpointSpec {
  /** the full URL the backend posts to (e.g. http://host:8000/v1/completions) */
  baseUrl: string;
  /** environment variable holding the key (native files) */
  apiKeyEnv?: string;
  /** a key written in a foreign file; used, never written to any output */
  apiKey?: string;
  /** this endpoint's concurrency limit (default: the model's num_concurrent) */
  numConcurrent?: number;
}

export interface ModelSpec {
  name: string;
  /** the `--model` value */
  backend: string;
  modelArgs: Record<string, unknown>;
  genKwargs: Record<string, unknown>;
  systemInstruction: string | null;
  applyChatTemplate: boolean | string;
  numConcurrent: number;
  /** seconds between request starts for this model (DeathMath's request_delay) */
  requestDelay: number;
  endpoints: EndpointSpec[];
  batchSize?: string | number;
}

export interface TaskSpec {
  name: string;
  numFewshot?: number;
  limit?: number;
  fewshotAsMultiturn?: boolean;
}

/** Settings an experiment can vary (common / grid / experiments entries). */
export interface Settings {
  numFewshot?: number;
  limit?: number;
  fewshotAsMultiturn?: boolean;
  applyChatTemplate?: boolean | string;
  systemInstruction?: string | null;
  genKwargs?: Record<string, unknown>;
  tasks?: string[];
}

export interface Seeds {
  random: number;
  numpy: number;
  torch: number;
  fewshot: number;
}

export interface Experiment {
  /** folder name under the output path: `name`, or `name_r<k>` when repeated */
  id: string;
  /** the readable name (shared by the repeats of one configuration) */
  name: string;
  model: ModelSpec;
  tasks: TaskSpec[];
  settings: Settings;
  /** the grid values that make this experiment (for tables): key -> value */
  varied: Record<string, unknown>;
  /** 0-based repeat index and the number of repeats */
  repeat: number;
  repeats: number;
  seeds: Seeds;
}

export interface ExperimentPlan {
  name: string;
  /** which file shape it came from */
  source: 'native' | 'evalap' | 'deathmath';
  models: ModelSpec[];
  tasks: TaskSpec[];
  includePath: string[];
  experiments: Experiment[];
  /** leaderboard sort key: `metric` or `task/metric` (default: the first column) */
  mainMetric: string | null;
}

/** The lm-eval default seeds, moved by the repeat index so repeats differ (and are recorded). */
export function seedsFor(base: number | undefined, repeat: number): Seeds {
  if (base === undefined) return { random: repeat, numpy: 1234 + repeat, torch: 1234 + repeat, fewshot: 1234 + repeat };
  return { random: base + repeat, numpy: base + repeat, torch: base + repeat, fewshot: base + repeat };
}

/** A folder-safe, readable piece of a name. */
export function namePart(v: unknown): string {
  const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return s.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** True when generation samples (temperature > 0 or do_sample), so repeats must not share answers. */
export function samples(genKwargs: Record<string, unknown>): boolean {
  if (genKwargs.do_sample === true) return true;
  const t = Number(genKwargs.temperature ?? 0);
  return genKwargs.do_sample !== false && Number.isFinite(t) && t > 0;
}
