/**
 * Anthropic's APIs, as lm-eval's `anthropic_llms.py` uses them:
 *
 * - `anthropic-chat-completions` (lm-eval `AnthropicChat`): the Messages API, POST
 *   `https://api.anthropic.com/v1/messages` with `x-api-key` and `anthropic-version: 2023-06-01`;
 *   payload `{messages, model, max_tokens, temperature, stop_sequences, system?, ...gen_kwargs}`,
 *   a leading system message becomes `system`, the answer is `content[0].text`.
 * - `anthropic-completions` (lm-eval `AnthropicLM`): the legacy Text Completions API, POST
 *   `https://api.anthropic.com/v1/complete` with `prompt = "\n\nHuman: <prompt>\n\nAssistant:"`,
 *   `max_tokens_to_sample`, `temperature`, `stop_sequences`; the answer is `completion`.
 *
 * Both generate only (the APIs return no log-probs) and share the OpenAI backends' HTTP client:
 * Anthropic's error envelope `{"type":"error","error":{"type","message"}}`, 429 with
 * `retry-after`, 529 `overloaded_error` and 5xx are retried with backoff, 429s narrow the
 * concurrency window. The key comes from ANTHROPIC_API_KEY and is never written anywhere.
 */
import { LmEvalError, readModelArgs, type ChatMessage, type ChatTemplateOptions, type Context, type GenerateRequest, type LM, type LoglikelihoodRequest, type LoglikelihoodResult, type ModelArgs, type ModelFactoryOptions, type PreflightProblem, type PreflightQuery, type RequestHooks, type RollingRequest, JsonChatStr } from '@lm-eval/core';
import { pyJsonDumps } from '@lm-eval/core/python';
import { ApiBackendBase, cutAtStops, handleStopSequences, type ApiBackendOptions } from './api-backend.ts';
import { anthropicModelArgs, type AnthropicBackendName, type ApiModelConfig } from './args.ts';
import type { WindowControl } from './window.ts';


const HUMAN_PROMPT = '\n\nHuman:';
const AI_PROMPT = '\n\nAssistant:';

export class AnthropicLM extends ApiBackendBase implements LM {
  private readonly chat: boolean;

  constructor(
    backend: AnthropicBackendName,
    config: ApiModelConfig,
    private readonly temperature: number,
    options: ApiBackendOptions = {},
  ) {
    super(backend, config, options);
    this.chat = backend === 'anthropic-chat-completions';
  }

  static async create(backend: AnthropicBackendName, args: ModelArgs, options: ModelFactoryOptions = {}, backendOptions: ApiBackendOptions = {}): Promise<AnthropicLM> {
    const env = backendOptions.env ?? process.env;
    const v = readModelArgs(anthropicModelArgs(backend), args);
    const apiKey = env.ANTHROPIC_API_KEY ?? '';
    if (!apiKey) throw new LmEvalError(`--model ${backend} needs an API key: set the ANTHROPIC_API_KEY environment variable.`);
    if (!v.model) throw new LmEvalError(`--model ${backend} needs model_args model=<name>.`, 'Add model=<value> to --model_args, e.g. model=claude-3-5-haiku-latest.');
    if (!(v.timeout > 0)) throw new LmEvalError(`--model ${backend}: model_args timeout=${String(args.timeout)}: expected a positive number.`);
    void options;
    const config: ApiModelConfig = {
      backend: backend as unknown as ApiModelConfig['backend'],
      model: v.model,
      baseUrl: v.base_url,
      tokenizerBackend: 'none',
      tokenizer: null,
      tokenizedRequests: false,
      numConcurrent: v.num_concurrent,
      maxRetries: v.max_retries,
      timeoutMs: v.timeout * 1000,
      batchSize: 1,
      maxLength: 2048,
      maxGenToks: backend === 'anthropic-chat-completions' ? v.max_gen_toks : v.max_tokens_to_sample,
      seed: 1234,
      addBosToken: false,
      addBosTokenGiven: false,
      customPrefixTokenId: null,
      verifyCertificate: true,
      caCertPath: null,
      header: { 'x-api-key': apiKey, 'anthropic-version': v.anthropic_version },
      eosString: null,
      thinkEndToken: null,
      scoring: 'auto',
      cachePrompt: true,
      apiKey,
      authToken: null,
      strict: false,
    };
    return new AnthropicLM(backend, config, v.temperature, backendOptions);
  }

  private messagesOf(c: Context): ChatMessage[] {
    if (typeof c === 'string') return [{ role: 'user', content: c }];
    const parsed = JSON.parse(c.prompt) as unknown;
    if (!Array.isArray(parsed)) throw new LmEvalError(`${this.name}: the chat prompt is not a JSON message list.`);
    return parsed as ChatMessage[];
  }

  /** lm-eval `AnthropicChat._create_payload` / `AnthropicLM` request body. */
  payloadOf(context: Context, genKwargs: Record<string, unknown>): { body: Record<string, unknown>; stop: string[] } {
    const rest: Record<string, unknown> = { ...genKwargs };
    delete rest.do_sample;
    const maxTokens = 'max_gen_toks' in rest ? rest.max_gen_toks : this.config.maxGenToks;
    delete rest.max_gen_toks;
    const temperature = 'temperature' in rest ? rest.temperature : this.temperature;
    delete rest.temperature;
    const until = rest.until;
    delete rest.until;
    const stop = handleStopSequences(until, null);
    if (this.chat) {
      const messages = this.messagesOf(context);
      const system = messages[0]?.role === 'system' ? messages[0].content : null;
      const body: Record<string, unknown> = { messages: system === null ? messages : messages.slice(1), model: this.config.model, max_tokens: maxTokens, temperature, stop_sequences: stop, ...rest };
      if (system !== null) body.system = system;
      return { body, stop };
    }
    const prompt = typeof context === 'string' ? context : context.prompt;
    return {
      body: { model: this.config.model, prompt: `${HUMAN_PROMPT} ${prompt}${AI_PROMPT}`, max_tokens_to_sample: maxTokens, temperature, stop_sequences: stop, ...rest },
      stop,
    };
  }

  private answerOf(resp: Record<string, unknown>): string {
    if (this.chat) {
      const content = resp.content;
      const first = Array.isArray(content) ? (content as Array<{ type?: string; text?: unknown }>).find((b) => b.type === 'text' || typeof b.text === 'string') : undefined;
      if (!first || typeof first.text !== 'string') throw new LmEvalError(`${this.config.baseUrl} answered without content[0].text.`);
      return first.text;
    }
    if (typeof resp.completion !== 'string') throw new LmEvalError(`${this.config.baseUrl} answered without "completion".`);
    return resp.completion;
  }

  async generateUntil(requests: GenerateRequest[], hooks: RequestHooks = {}): Promise<string[]> {
    const out: string[] = new Array(requests.length);
    const job = async (i: number, control: WindowControl) => {
      const { body, stop } = this.payloadOf(requests[i].context, requests[i].genKwargs);
      const resp = await this.post<Record<string, unknown>>(body, control, hooks.signal);
      const text = cutAtStops(this.answerOf(resp), stop);
      out[i] = text;
      hooks.onResult?.(i, text);
    };
    await this.runJobs(requests.length, job, hooks);
    return out;
  }

  private noScores(what: string): LmEvalError {
    return new LmEvalError(
      `${this.name} cannot compute ${what}: Anthropic's APIs return no log-probabilities.`,
      'Run only generate_until tasks with this backend (--skip_unsupported_tasks), or score the model family through a server that returns log-probs (local-completions against vLLM or llama.cpp).',
    );
  }

  async loglikelihood(_requests: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    throw this.noScores('loglikelihood');
  }

  async loglikelihoodRolling(_requests: RollingRequest[]): Promise<number[]> {
    throw this.noScores('loglikelihood_rolling');
  }

  async preflight(q: PreflightQuery): Promise<PreflightProblem | null> {
    if (q.type === 'generate_until') return null;
    const e = this.noScores(q.type);
    return { reason: e.message, fix: e.hint ?? '' };
  }

  applyChatTemplate(messages: ChatMessage[], _options: ChatTemplateOptions): Context {
    return JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));
  }

  chatTemplate(): string | null {
    return '';
  }

  resultsInfo(): Record<string, unknown> {
    return { api_requests: this.runStats() };
  }
}
