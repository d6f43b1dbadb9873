/**
 * `--model` names of this package: local-completions, local-chat-completions, openai-completions,
 * openai-chat-completions, gguf, anthropic-chat-completions, anthropic-completions.
 */
import { registerModel, type LM, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core';
import { parseApiModelArgs, type ApiBackendName } from './args.ts';
import { ChatCompletionsLM } from './chat.ts';
import { CompletionsLM } from './completions.ts';
import type { ApiBackendOptions } from './api-backend.ts';
import { AnthropicLM } from './anthropic.ts';

/** Builds one of the four API backends from typed model_args. */
export async function createApiModel(
  backend: ApiBackendName,
  args: ModelArgs,
  options: ModelFactoryOptions = {},
  backendOptions: ApiBackendOptions = {},
): Promise<CompletionsLM | ChatCompletionsLM> {
  const config = parseApiModelArgs(backend, args, options, backendOptions.env ?? process.env);
  return backend === 'local-completions' || backend === 'openai-completions' || backend === 'gguf'
    ? CompletionsLM.create(config, backendOptions)
    : ChatCompletionsLM.create(config, backendOptions);
}

export const localCompletionsFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => createApiModel('local-completions', args, options);
export const localChatCompletionsFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => createApiModel('local-chat-completions', args, options);
export const openaiCompletionsFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => createApiModel('openai-completions', args, options);
export const anthropicChatFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => AnthropicLM.create('anthropic-chat-completions', args, options);
export const anthropicCompletionsFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => AnthropicLM.create('anthropic-completions', args, options);
/** lm-eval's `gguf`: local-completions against a llama.cpp llama-server (base_url = its root). */
export const ggufFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => createApiModel('gguf', args, options);
export const openaiChatCompletionsFactory = (args: ModelArgs, options: ModelFactoryOptions): Promise<LM> => createApiModel('openai-chat-completions', args, options);

/** Registers the four API backends with @lm-eval/core's model registry. */
export function registerOpenAIModels(): void {
  registerModel('local-completions', localCompletionsFactory);
  registerModel('local-chat-completions', localChatCompletionsFactory);
  registerModel('openai-completions', openaiCompletionsFactory);
  registerModel('openai-chat-completions', openaiChatCompletionsFactory);
  registerModel('gguf', ggufFactory);
  registerModel('anthropic-chat-completions', anthropicChatFactory);
  registerModel('anthropic-completions', anthropicCompletionsFactory);
}
