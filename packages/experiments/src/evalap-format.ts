/**
 * EvalAP's experiment-set JSON, unchanged: `{name, readme, cv: {common_params, grid_params,
 * repeat}}` (or the three keys at the top level). Models are `{name, base_url, api_key,
 * sampling_params, aliased_name, system_prompt}`; `dataset` names the lm-eval task(s). Mapped onto
 * the native file (the table in docs/experiments.md), then parsed like one.
 */
import { LmEvalError } from '@lm-eval/core';
import { isPlainObject } from '@lm-eval/core/python';
import type { LiteralKeys } from './foreign-keys.ts';

const MODEL_KEYS = ['name', 'base_url', 'api_key', 'sampling_params', 'aliased_name', 'system_prompt', 'extra_params'];
const PARAM_KEYS = ['dataset', 'model', 'metrics', 'judge_model', 'sampling_params', 'with_vision'];

export function isEvalapShape(raw: unknown): boolean {
  if (!isPlainObject(raw)) return false;
  const cv = isPlainObject(raw.cv) ? raw.cv : raw;
  return 'common_params' in cv || 'grid_params' in cv;
}

/** `.../v1` (an OpenAI client base) -> the chat-completions URL lm-eval's backend posts to. */
export function chatUrl(base: string): string {
  const b = base.replace(/\/+$/, '');
  return /\/chat\/completions$/.test(b) ? b : `${b}/chat/completions`;
}

/** sampling_params -> gen_kwargs (max_tokens is lm-eval's max_gen_toks). */
export function samplingToGenKwargs(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k === 'max_tokens' || k === 'max_completion_tokens' ? 'max_gen_toks' : k] = v;
  return out;
}

export function evalapToNative(raw: Record<string, unknown>, file: string, keys: LiteralKeys, warn: (m: string) => void): Record<string, unknown> {
  function fail(field: string, what: string, hint?: string): never {
    throw new LmEvalError(`experiments file ${file} (EvalAP experiment set): ${field}: ${what}`, hint);
  }
  const cv = (isPlainObject(raw.cv) ? raw.cv : raw) as Record<string, unknown>;
  const prefix = isPlainObject(raw.cv) ? 'cv.' : '';
  const common = (cv.common_params ?? {}) as Record<string, unknown>;
  const grid = (cv.grid_params ?? {}) as Record<string, unknown>;
  if (!isPlainObject(common)) fail(`${prefix}common_params`, 'must be a mapping');
  if (!isPlainObject(grid)) fail(`${prefix}grid_params`, 'must be a mapping');
  for (const [where, obj] of [[`${prefix}common_params`, common], [`${prefix}grid_params`, grid]] as const) {
    for (const k of Object.keys(obj)) if (!PARAM_KEYS.includes(k)) fail(`${where}.${k}`, `unknown parameter '${k}'`, `known: ${PARAM_KEYS.join(', ')}`);
  }
  for (const k of ['metrics', 'judge_model']) {
    if (common[k] !== undefined || grid[k] !== undefined) warn(`EvalAP '${k}' is not used: each lm-eval task defines its own metrics`);
  }

  // models: grid_params.model (a list) or common_params.model (one)
  const modelList: unknown[] = grid.model !== undefined ? (Array.isArray(grid.model) ? grid.model : [grid.model]) : common.model !== undefined ? [common.model] : [];
  const where = grid.model !== undefined ? `${prefix}grid_params.model` : `${prefix}common_params.model`;
  if (modelList.length === 0) fail(`${prefix}grid_params.model`, 'no model given', 'EvalAP models are {name, base_url, api_key, sampling_params}');
  const used = new Map<string, number>();
  const models = modelList.map((m, i) => {
    if (!isPlainObject(m)) fail(`${where}[${i}]`, 'must be a mapping {name, base_url, api_key, sampling_params}');
    for (const k of Object.keys(m)) if (!MODEL_KEYS.includes(k)) fail(`${where}[${i}].${k}`, `unknown model key '${k}'`, `known: ${MODEL_KEYS.join(', ')}`);
    if (typeof m.name !== 'string' || !m.name) fail(`${where}[${i}].name`, 'must be a non-empty string');
    if (typeof m.base_url !== 'string' || !m.base_url) fail(`${where}[${i}].base_url`, 'must be the API base URL, e.g. https://host/v1');
    let name = String(m.aliased_name ?? m.name);
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    if (n > 1) name = `${name}-${n}`; // the same model with other sampling_params
    const sampling = { ...(isPlainObject(common.sampling_params) ? common.sampling_params : {}), ...(isPlainObject(m.sampling_params) ? m.sampling_params : {}) };
    const keyEnv = keys.envNameFor(m.api_key);
    const out: Record<string, unknown> = {
      name,
      backend: 'local-chat-completions',
      model_args: { model: m.name },
      apply_chat_template: true,
      endpoints: [{ base_url: chatUrl(m.base_url as string), ...(keyEnv ? { api_key_env: keyEnv } : {}) }],
    };
    if (Object.keys(sampling).length) out.gen_kwargs = samplingToGenKwargs(sampling);
    if (typeof m.system_prompt === 'string') out.system_instruction = m.system_prompt;
    return out;
  });
  const datasets = grid.dataset ?? common.dataset;
  if (datasets === undefined) fail(`${prefix}common_params.dataset`, 'is missing', 'name the lm-eval task to run (or pass --tasks)');
  const native: Record<string, unknown> = {
    name: typeof raw.name === 'string' ? raw.name : 'experiments',
    models,
    tasks: Array.isArray(datasets) ? datasets : [datasets],
    repeat: cv.repeat ?? 1,
  };
  return native;
}
