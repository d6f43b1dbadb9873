/**
 * Maps `--model` names to the backend packages, loaded only when needed (start-up stays fast).
 */
import { LmEvalError, registeredModels, type ModelArgsSchema } from '@lm-eval/core';
import { closest } from '@lm-eval/core/light';

const BACKENDS: Record<string, () => Promise<void>> = {
  hf: async () => (await import('@lm-eval/transformers')).registerTransformersModels(),
  'local-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'local-chat-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'openai-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'openai-chat-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  gguf: async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'anthropic-chat-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'anthropic-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  vllm: async () => (await import('@lm-eval/vllm')).registerVllmModels(),
};

export const MODEL_NAMES = ['dummy', ...Object.keys(BACKENDS)].sort();

export async function registerBackends(model: string): Promise<void> {
  const load = BACKENDS[model];
  if (load) {
    await load();
    return;
  }
  if (registeredModels().includes(model)) return;
  const names = [...new Set([...MODEL_NAMES, ...registeredModels()])].sort();
  const near = closest(model, names);
  throw new LmEvalError(`unknown model '${model}'${near ? ` (did you mean '${near}'?)` : ''}`, `--model must be one of: ${names.join(', ')}`);
}

/** The `--model_args` schema of each backend, loaded without the backend itself (for `--help`). */
const SCHEMAS: Record<string, () => Promise<ModelArgsSchema>> = {
  dummy: async () => (await import('@lm-eval/core/models')).DUMMY_MODEL_ARGS,
  hf: async () => (await import('@lm-eval/transformers/model-args')).HF_MODEL_ARGS,
  huggingface: async () => (await import('@lm-eval/transformers/model-args')).HF_MODEL_ARGS,
  'local-completions': async () => (await import('@lm-eval/openai/model-args')).apiModelArgs('local-completions'),
  'local-chat-completions': async () => (await import('@lm-eval/openai/model-args')).apiModelArgs('local-chat-completions'),
  'openai-completions': async () => (await import('@lm-eval/openai/model-args')).apiModelArgs('openai-completions'),
  'openai-chat-completions': async () => (await import('@lm-eval/openai/model-args')).apiModelArgs('openai-chat-completions'),
  gguf: async () => (await import('@lm-eval/openai/model-args')).apiModelArgs('gguf'),
  'anthropic-chat-completions': async () => (await import('@lm-eval/openai/model-args')).anthropicModelArgs('anthropic-chat-completions'),
  'anthropic-completions': async () => (await import('@lm-eval/openai/model-args')).anthropicModelArgs('anthropic-completions'),
  vllm: async () => (await import('@lm-eval/vllm/model-args')).VLLM_ARGS_SCHEMA,
};

/** `--help` text listing the model arguments of `model`, or null for an unknown name. */
export async function modelArgsHelpText(model: string): Promise<string | null> {
  const load = SCHEMAS[model];
  if (!load) return null;
  const { modelArgsHelp } = await import('@lm-eval/core/light');
  return modelArgsHelp(await load());
}
