/**
 * Maps `--model` names to the backend packages, loaded only when needed (start-up stays fast).
 */
import { LmEvalError, registeredModels } from '@lm-eval/core';
import { closest } from './suggest.ts';

const BACKENDS: Record<string, () => Promise<void>> = {
  hf: async () => (await import('@lm-eval/transformers')).registerTransformersModels(),
  'local-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'local-chat-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'openai-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  'openai-chat-completions': async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
  gguf: async () => (await import('@lm-eval/openai')).registerOpenAIModels(),
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
