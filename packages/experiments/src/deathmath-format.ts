/**
 * DeathMath's `configs/run.yaml`, unchanged: `model_list` names the models to run, each with a
 * top-level block `{model_name, endpoints: [{api_base, api_key}] | null, api_type: openai,
 * parallel, system_prompt, max_tokens, temperature, request_delay}`; top-level `temperature`,
 * `max_tokens` and `num_examples` apply to all. Mapped onto the native file (docs/experiments.md).
 * DeathMath's own benchmark is not an lm-eval task: the tasks come from `--tasks`.
 */
import { LmEvalError } from '@lm-eval/core';
import { isPlainObject } from '@lm-eval/core/python';
import type { LiteralKeys } from './foreign-keys.ts';
import { chatUrl } from './evalap-format.ts';

const BLOCK_KEYS = ['model_name', 'model', 'endpoints', 'api_type', 'parallel', 'system_prompt', 'max_tokens', 'temperature', 'request_delay', 'tokenizer'];

export function isDeathmathShape(raw: unknown): boolean {
  return isPlainObject(raw) && Array.isArray(raw.model_list);
}

export function deathmathToNative(raw: Record<string, unknown>, file: string, keys: LiteralKeys): Record<string, unknown> {
  function fail(field: string, what: string, hint?: string): never {
    throw new LmEvalError(`experiments file ${file} (DeathMath run.yaml): ${field}: ${what}`, hint);
  }
  const list = raw.model_list as unknown[];
  if (list.length === 0) fail('model_list', 'is empty', 'name at least one model block');
  const models = list.map((entry, i) => {
    if (typeof entry !== 'string') fail(`model_list[${i}]`, 'must be the name of a model block');
    const block = raw[entry as string];
    if (!isPlainObject(block)) fail(`model_list[${i}]`, `no model block '${entry}' in the file`, `define '${entry}:' with model_name, endpoints, api_type`);
    const b = block as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!BLOCK_KEYS.includes(k)) fail(`${entry}.${k}`, `unknown key '${k}'`, `known: ${BLOCK_KEYS.join(', ')}`);
    const apiType = b.api_type ?? 'openai';
    if (apiType !== 'openai') fail(`${entry}.api_type`, `'${apiType}' is not supported`, 'only api_type: openai (OpenAI-compatible servers) is');
    const modelName = b.model_name ?? b.model;
    if (typeof modelName !== 'string' || !modelName) fail(`${entry}.model_name`, 'must be a non-empty string');
    const genKwargs: Record<string, unknown> = {};
    const temperature = b.temperature ?? raw.temperature;
    const maxTokens = b.max_tokens ?? raw.max_tokens;
    if (temperature !== undefined) genKwargs.temperature = temperature;
    if (maxTokens !== undefined) genKwargs.max_gen_toks = maxTokens;
    const out: Record<string, unknown> = { name: entry, model_args: { model: modelName }, apply_chat_template: true };
    if (b.endpoints === null || b.endpoints === undefined) {
      // no endpoints: the OpenAI API itself, key from OPENAI_API_KEY
      out.backend = 'openai-chat-completions';
      out.api_key_env = 'OPENAI_API_KEY';
    } else {
      if (!Array.isArray(b.endpoints) || b.endpoints.length === 0) fail(`${entry}.endpoints`, 'must be a list of {api_base, api_key} or null');
      out.backend = 'local-chat-completions';
      out.endpoints = (b.endpoints as unknown[]).map((e, j) => {
        if (!isPlainObject(e) || typeof e.api_base !== 'string') fail(`${entry}.endpoints[${j}].api_base`, 'must be the API base URL, e.g. http://localhost:8000/v1');
        const ep = e as Record<string, unknown>;
        const keyEnv = keys.envNameFor(ep.api_key);
        return { base_url: chatUrl(ep.api_base as string), ...(keyEnv ? { api_key_env: keyEnv } : {}) };
      });
    }
    if (b.parallel !== undefined) out.num_concurrent = b.parallel;
    if (typeof b.system_prompt === 'string') out.system_instruction = b.system_prompt;
    if (b.request_delay !== undefined) out.request_delay = b.request_delay;
    if (Object.keys(genKwargs).length) out.gen_kwargs = genKwargs;
    return out;
  });
  const native: Record<string, unknown> = { name: typeof raw.bench_name === 'string' ? raw.bench_name : 'experiments', models };
  if (raw.tasks !== undefined) native.tasks = raw.tasks;
  if (raw.include_path !== undefined) native.include_path = raw.include_path;
  if (raw.repeat !== undefined) native.repeat = raw.repeat;
  if (raw.num_examples !== undefined) native.common = { limit: raw.num_examples };
  return native;
}
