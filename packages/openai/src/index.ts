// Public API of @lm-eval/openai: the OpenAI-compatible API backends.
export {
  registerOpenAIModels,
  createApiModel,
  localCompletionsFactory,
  localChatCompletionsFactory,
  openaiCompletionsFactory,
  openaiChatCompletionsFactory,
  ggufFactory,
} from './register.ts';
export { CompletionsLM } from './completions.ts';
export { ChatCompletionsLM } from './chat.ts';
export { AnthropicLM } from './anthropic.ts';
export { anthropicModelArgs, type AnthropicBackendName } from './args.ts';
export { parseApiModelArgs, apiModelArgs, ACCEPTED_ARGS, type ApiModelConfig, type ApiBackendName, type TokenizerBackend } from './args.ts';
export type { ApiBackendOptions, RunStats } from './api-backend.ts';
export { DEFAULT_BACKOFF, ApiRequestError, type BackoffPolicy } from './http.ts';
export type { ScoringPath } from './scoring.ts';
export type { ReasoningStats } from './reasoning.ts';
export { HuggingFaceTokenizer, TiktokenTokenizer, RemoteTokenizer, type ApiTokenizer } from './tokenizers.ts';
