/**
 * `local-chat-completions` / `openai-chat-completions` (lm_eval/models/openai_completions.py `LocalChatCompletion`,
 * `OpenAIChatCompletion`; vLLM's `POST /v1/chat/completions`).
 *
 * generate_until sends the JSON chat wrapper's messages (server-side chat template), keeps
 * reasoning out of the answer and counts it.
 *
 * loglikelihood (beyond lm-eval, which refuses it): never approximated.
 *  - `chat-prompt-logprobs` (vLLM): the continuation is appended as an assistant message and the
 *    server continues it (`continue_final_message: true, add_generation_prompt: false`) returning
 *    `prompt_logprobs`; the continuation's tokens are those after the longest common prefix with
 *    the context rendered with its generation prompt (both via the server's /tokenize), so boundary
 *    merges count for the continuation as in lm-eval's pair encoding.
 *  - `chat-top-logprobs` (any server with top_logprobs): exact only when the continuation is one
 *    token the model ranks among the top 20 for its first reply token; otherwise refused.
 */
import { JsonChatStr, LmEvalError, type ChatMessage, type ChatTemplateOptions, type Context, type GenerateRequest, type LM, type LoglikelihoodRequest, type LoglikelihoodResult, type PreflightProblem, type PreflightQuery, type RequestHooks, type RollingRequest } from '@lm-eval/core';
import { memoPyJsonDumps, pyJsonDumps, pyLen } from '@lm-eval/core/python';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { ApiBackendBase, cutAtStops, generationBatches, handleStopSequences, splitGenKwargs, warn, type ApiBackendOptions } from './api-backend.ts';
import type { ApiModelConfig } from './args.ts';
import { ApiRequestError } from './http.ts';
import { generationDetail } from './generation-detail.ts';
import { emptyReasoningStats, splitReasoning, type ReasoningStats } from './reasoning.ts';
import { scorePromptLogprobs, type ScoringPath } from './scoring.ts';
import { serverRoot } from './tokenizers.ts';
import type { WindowControl } from './window.ts';

const TOP_LOGPROBS = 20;

/** [latest] openai-chat-completions: reasoning model names get no `stop` and temperature 1 (lm-eval's literal substring test, `5` included). */
function isReasoningModelName(model: string | null): boolean {
  return !!model && ['o1', 'o3', 'o4', '5'].some((s) => model.includes(s));
}

export class ChatCompletionsLM extends ApiBackendBase implements LM {
  private scoringPath: ScoringPath | null = null;
  private readonly reasoning: ReasoningStats = emptyReasoningStats();
  private readonly openai: boolean;

  constructor(config: ApiModelConfig, options: ApiBackendOptions = {}) {
    super(config.backend, config, options);
    this.openai = config.backend === 'openai-chat-completions';
  }

  static async create(config: ApiModelConfig, options: ApiBackendOptions = {}): Promise<ChatCompletionsLM> {
    const lm = new ChatCompletionsLM(config, options);
    await lm.init();
    return lm;
  }

  private messagesOf(c: Context): ChatMessage[] {
    if (typeof c === 'string') {
      throw new LmEvalError(
        `${this.name} needs chat-formatted prompts, but got plain text.`,
        'Run with --apply_chat_template (and --fewshot_as_multiturn for few-shot tasks), or use local-completions for plain prompts.',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(c.prompt);
    } catch {
      throw new LmEvalError(`${this.name}: the chat prompt is not a JSON message list: ${c.prompt.slice(0, 80)}`);
    }
    if (!Array.isArray(parsed)) throw new LmEvalError(`${this.name}: the chat prompt is not a JSON message list.`);
    return parsed as ChatMessage[];
  }

  // ---------------------------------------------------------------------------------------------
  // generate_until
  // ---------------------------------------------------------------------------------------------

  async generateUntil(requests: GenerateRequest[], hooks: RequestHooks = {}): Promise<string[]> {
    const messages = requests.map((r) => this.messagesOf(r.context));
    const genKey = memoPyJsonDumps();
    const batches = generationBatches(requests, (r) => genKey(r.genKwargs), (r) => pyLen(typeof r.context === 'string' ? r.context : r.context.prompt), 1);
    const out: string[] = new Array(requests.length);
    // [quirk] the async path (num_concurrent > 1) does not append EOS to `stop`.
    const eos = this.config.numConcurrent > 1 ? null : this.openai ? '<|endoftext|>' : this.eosStop();
    const job = async (b: number, control: WindowControl) => {
      const i = batches[b][0];
      const { maxTokens, temperature, until, rest } = splitGenKwargs(requests[i].genKwargs, this.config.maxGenToks, this.openai ? ['<|endoftext|>'] : undefined);
      const stop = handleStopSequences(until, eos).slice(0, 4);
      let payload: Record<string, unknown>;
      if (this.openai) {
        payload = { messages: messages[i], model: this.config.model, max_completion_tokens: maxTokens, temperature, stop, seed: this.config.seed, ...rest };
        if (isReasoningModelName(this.config.model)) {
          delete payload.stop;
          payload.temperature = 1;
        }
      } else {
        payload = { messages: messages[i], model: this.config.model, max_tokens: maxTokens, temperature, stop, seed: this.config.seed, ...rest };
      }
      const started = performance.now();
      const resp = await this.post<ChatCompletion>(payload, control, hooks.signal);
      const latency = (performance.now() - started) / 1000;
      const choice = Array.isArray(resp?.choices) ? resp.choices.find((c) => (c.index ?? 0) === 0) ?? resp.choices[0] : undefined;
      let text: string;
      let reasoning = '';
      if (!choice || typeof choice.message !== 'object' || choice.message === null) {
        warn(`${this.config.baseUrl} answered without choices[0].message; the answer is "".`);
        text = '';
      } else {
        const split = splitReasoning(choice.message as unknown as Record<string, unknown>, this.config.thinkEndToken, this.reasoning);
        reasoning = split.reasoning;
        text = split.answer === null ? this.placeholder : 'stop' in payload ? cutAtStops(split.answer, stop) : split.answer;
      }
      hooks.onDetail?.(i, generationDetail(resp, choice, 1, latency, reasoning));
      out[i] = text;
      hooks.onResult?.(i, text);
    };
    await this.runJobs(batches.length, job, hooks);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // loglikelihood
  // ---------------------------------------------------------------------------------------------

  async loglikelihood(requests: LoglikelihoodRequest[], hooks: RequestHooks = {}): Promise<LoglikelihoodResult[]> {
    const messages = requests.map((r) => this.messagesOf(r.context));
    const out: LoglikelihoodResult[] = new Array(requests.length);
    const deliver = (i: number, r: LoglikelihoodResult) => {
      out[i] = r;
      hooks.onResult?.(i, r);
    };
    if (requests.length === 0) return out;
    let start = 0;
    if (this.scoringPath === null) {
      deliver(0, await this.decidePath(messages[0], requests[0].continuation, hooks));
      start = 1;
    }
    if (this.scoringPath === 'chat-prompt-logprobs') {
      const job = async (k: number, control: WindowControl) => {
        const i = start + k;
        deliver(i, await this.scorePromptLogprobs(messages[i], requests[i].continuation, control, hooks.signal));
      };
      await this.runJobs(requests.length - start, job, hooks);
      return out;
    }
    // top_logprobs: one request per document (all its single-token choices read from one list).
    const byContext = new Map<string, number[]>();
    for (let i = start; i < requests.length; i++) {
      const key = (requests[i].context as { prompt: string }).prompt;
      let g = byContext.get(key);
      if (!g) byContext.set(key, (g = []));
      g.push(i);
    }
    const groups = [...byContext.values()];
    const job = async (k: number, control: WindowControl) => {
      const idx = groups[k];
      const entries = await this.firstTokenTop(messages[idx[0]], control, hooks.signal);
      for (const i of idx) deliver(i, this.pickSingleToken(entries, requests[i].continuation));
    };
    await this.runJobs(groups.length, job, hooks);
    return out;
  }

  /**
   * Before the run: perplexity cannot be served by a chat API; scoring is probed on the task's own
   * first request (the top_logprobs route is exact only for single-token continuations, so each
   * task is checked; the prompt_logprobs route, once found, serves every task).
   */
  async preflight(q: PreflightQuery): Promise<PreflightProblem | null> {
    if (q.type === 'generate_until' || q.sample.length === 0) return null;
    if (q.type === 'loglikelihood_rolling') {
      return {
        reason: `${this.name} cannot serve loglikelihood_rolling (perplexity needs a log-prob for every token of a plain text; chat APIs do not return them).`,
        fix: 'Use local-completions (base_url …/v1/completions) against vLLM, SGLang or llama.cpp\'s llama-server.',
      };
    }
    if (this.scoringPath === 'chat-prompt-logprobs') return null;
    try {
      const r = q.sample[0];
      const messages = this.messagesOf(r.context);
      if (this.scoringPath === null) await this.decidePath(messages, r.continuation, {});
      else this.pickSingleToken(await this.firstTokenTop(messages, { running: true }), r.continuation);
      return null;
    } catch (e) {
      if (!(e instanceof LmEvalError)) throw e;
      return { reason: e.message, fix: e.hint ?? 'Use local-completions against the same server.' };
    }
  }

  /** First request: try the exact vLLM route, fall back to single-token top_logprobs. */
  private async decidePath(messages: ChatMessage[], continuation: string, hooks: RequestHooks): Promise<LoglikelihoodResult> {
    const control = { running: true };
    if (!this.openai && this.config.scoring !== 'echo') {
      try {
        const r = await this.scorePromptLogprobs(messages, continuation, control, hooks.signal);
        this.scoringPath = 'chat-prompt-logprobs';
        return r;
      } catch (e) {
        if (hooks.signal?.aborted) throw e;
        const retryable = e instanceof ApiRequestError && e.retryable;
        if (retryable || this.config.scoring === 'prompt_logprobs') throw this.explain(e);
        // Not offered (no /tokenize, no prompt_logprobs, continue_final_message refused): single-token route.
      }
    }
    this.scoringPath = 'chat-top-logprobs';
    try {
      return await this.scoreTopLogprobs(messages, continuation, control, hooks.signal);
    } catch (e) {
      throw this.explain(e);
    }
  }

  private explain(e: unknown): Error {
    if (e instanceof LmEvalError) return e;
    return new LmEvalError(`${this.name} loglikelihood failed: ${(e as Error).message}`, undefined, { cause: e });
  }

  private async scorePromptLogprobs(messages: ChatMessage[], continuation: string, control: WindowControl, signal?: AbortSignal): Promise<LoglikelihoodResult> {
    const root = serverRoot(this.config.baseUrl);
    const full = [...messages, { role: 'assistant', content: continuation }];
    const tokenizeUrl = `${root}/tokenize`;
    const [ctx, whole] = await Promise.all([
      this.post<{ tokens?: number[] }>({ model: this.config.model, messages, add_generation_prompt: true, add_special_tokens: false }, control, signal, tokenizeUrl),
      this.post<{ tokens?: number[] }>({ model: this.config.model, messages: full, add_generation_prompt: false, continue_final_message: true, add_special_tokens: false }, control, signal, tokenizeUrl),
    ]);
    if (!Array.isArray(ctx.tokens) || !Array.isArray(whole.tokens)) throw new LmEvalError(`${tokenizeUrl} answered without "tokens".`);
    let ctxlen = 0;
    while (ctxlen < ctx.tokens.length && ctxlen < whole.tokens.length && ctx.tokens[ctxlen] === whole.tokens[ctxlen]) ctxlen++;
    if (ctxlen >= whole.tokens.length) {
      throw new LmEvalError(`The continuation ${JSON.stringify(continuation)} adds no tokens to the chat as the server renders it; it cannot be scored.`);
    }
    const resp = await this.post<Record<string, unknown>>(
      {
        messages: full,
        model: this.config.model,
        max_tokens: 1,
        temperature: 0,
        seed: this.config.seed,
        prompt_logprobs: 1,
        add_generation_prompt: false,
        continue_final_message: true,
      },
      control,
      signal,
    );
    return scorePromptLogprobs(resp.prompt_logprobs, whole.tokens, ctxlen, this.config.baseUrl);
  }

  private async scoreTopLogprobs(messages: ChatMessage[], continuation: string, control: WindowControl, signal?: AbortSignal): Promise<LoglikelihoodResult> {
    return this.pickSingleToken(await this.firstTokenTop(messages, control, signal), continuation);
  }

  /** The first reply token and its top_logprobs (one request). */
  private async firstTokenTop(messages: ChatMessage[], control: WindowControl, signal?: AbortSignal): Promise<Array<{ token: string; logprob: number }>> {
    const payload: Record<string, unknown> = { messages, model: this.config.model, temperature: 0, seed: this.config.seed, logprobs: true, top_logprobs: TOP_LOGPROBS };
    payload[this.openai ? 'max_completion_tokens' : 'max_tokens'] = 1;
    const resp = await this.post<ChatCompletion>(payload, control, signal);
    const first = resp?.choices?.[0]?.logprobs?.content?.[0];
    if (!first || !Array.isArray(first.top_logprobs)) {
      throw new LmEvalError(
        `${this.config.baseUrl} returned no top_logprobs for the first reply token, so chat loglikelihood cannot be computed.`,
        'Use a server that returns logprobs/top_logprobs (vLLM, OpenAI), or local-completions.',
      );
    }
    return [{ token: first.token, logprob: first.logprob }, ...first.top_logprobs.map((e) => ({ token: e.token, logprob: e.logprob }))];
  }

  /** A single-token continuation's log-prob among the first reply token's candidates (exact, or refused). */
  private pickSingleToken(entries: Array<{ token: string; logprob: number }>, continuation: string): LoglikelihoodResult {
    const seen = new Map<string, Set<number>>();
    for (const e of entries) {
      if (!seen.has(e.token)) seen.set(e.token, new Set());
      seen.get(e.token)!.add(e.logprob);
    }
    const match = seen.get(continuation);
    if (!match) {
      throw new LmEvalError(
        `${this.name} cannot score the continuation ${JSON.stringify(continuation)} exactly: chat APIs return no prompt log-probs, and it is not one of the ` +
          `top-${TOP_LOGPROBS} first reply tokens (${[...seen.keys()].slice(0, 5).map((t) => JSON.stringify(t)).join(', ')}, …). Multi-token or unlikely continuations would need an approximation, which is refused.`,
        'Use local-completions against this server (exact: vLLM/SGLang prompt log-probs, or llama.cpp by forcing tokens), or serve the model with vLLM, whose chat endpoint returns prompt_logprobs.',
      );
    }
    if (match.size > 1) {
      throw new LmEvalError(`${this.name}: two different first tokens render as ${JSON.stringify(continuation)}; the score would be ambiguous.`, 'Use a vLLM server (token-id keyed prompt_logprobs) or local-completions.');
    }
    const lp = [...match][0];
    const max = Math.max(...entries.map((e) => e.logprob));
    return [lp, lp >= max];
  }

  async loglikelihoodRolling(_requests: RollingRequest[]): Promise<number[]> {
    throw new LmEvalError(
      `${this.name} does not support loglikelihood_rolling (perplexity tasks need a log-prob for every token of a plain text).`,
      'Use local-completions against a vLLM or SGLang server, or llama.cpp\'s llama-server (scored by forcing tokens).',
    );
  }

  applyChatTemplate(messages: ChatMessage[], _options: ChatTemplateOptions): Context {
    return JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));
  }

  chatTemplate(): string | null {
    return this.tokenizer?.chatTemplate ?? '';
  }

  resultsInfo(): Record<string, unknown> {
    return { ...this.tokenizerResultsInfo(), scoring_path: this.scoringPath, reasoning: { ...this.reasoning }, api_requests: this.runStats() };
  }
}
