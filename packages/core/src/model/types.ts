/**
 * The backend contract (lm_eval/api/model.py `LM`). Every model backend implements {@link LM};
 * backends register a {@link ModelFactory} under the names used by `--model`.
 */
import { PyTuple } from '../python/values.ts';

/**
 * A chat-completions prompt: lm-eval's `JsonChatStr`, a one-field tuple holding
 * `json.dumps(messages, ensure_ascii=False)`. Serialises as a one-element array.
 */
export class JsonChatStr extends PyTuple<string> {
  // `any` keeps TypeScript's static-side check with Array.of happy; callers pass one string.
  static of(...items: any[]): any {
    const t = new JsonChatStr();
    t.push(String(items[0]));
    return t as JsonChatStr;
  }
  get prompt(): string {
    return this[0];
  }
}

/** A request context: plain text, or a chat wrapper for chat-completions APIs. */
export type Context = string | JsonChatStr;

export interface ChatMessage {
  role: string;
  content: string;
}

export type GenKwargs = Record<string, unknown>;

export interface LoglikelihoodRequest {
  context: Context;
  continuation: string;
}
export interface RollingRequest {
  text: string;
}
export interface GenerateRequest {
  context: Context;
  genKwargs: GenKwargs;
}

/** `(logprob, is_greedy)` */
export type LoglikelihoodResult = [number, boolean];

/**
 * What a backend knows about one generation besides its text (answer generation and judges
 * record it per sample). Every field is optional: a backend fills what its API returns.
 */
export interface GenerationDetail {
  /** reasoning text the server returned apart from the answer (or think blocks removed from it) */
  reasoning?: string | null;
  /** `stop`, `length`, ... as the server reports it */
  finish_reason?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  /** wall-clock seconds of the request that produced this answer (retries included) */
  latency_s?: number | null;
}

export interface RequestHooks {
  /**
   * Called exactly once per request, as soon as its answer is known and before the call resolves:
   * `index` is the request's position in the input (never outside it), `value` the answer the
   * returned array holds at that position.
   */
  onResult?: (index: number, value: unknown) => void;
  /**
   * generate_until only: called (before `onResult` of the same request) with what the backend
   * knows about the generation. Backends that know nothing never call it.
   */
  onDetail?: (index: number, detail: GenerationDetail) => void;
  /**
   * Aborts outstanding work (Ctrl-C). Once it fires before the call has settled, the call rejects
   * with `signal.reason` (an `AbortError` unless the caller gave a reason) without starting new
   * work, cancelling what it can (HTTP requests, worker requests) and waiting at most for the step
   * in progress (one batch); a signal aborted before the call rejects it at once. No hook fires
   * after the call settled. Already-delivered results stay delivered, and the backend stays
   * usable: a later call answers as if the aborted one had never happened.
   */
  signal?: AbortSignal;
}

/** One kind of request of one task, with a sample of its requests, as the preflight asks about it. */
export type PreflightQuery = (
  | { type: 'loglikelihood'; task: string; sample: LoglikelihoodRequest[] }
  | { type: 'loglikelihood_rolling'; task: string; sample: RollingRequest[] }
  | { type: 'generate_until'; task: string; sample: GenerateRequest[] }
) & {
  /** The sample's answer is already known (response cache): it was served, and must not be sent again. */
  answered?: boolean;
};

/** Why a backend cannot serve a request type, and what would make it work (a path that works). */
export interface PreflightProblem {
  reason: string;
  fix: string;
}

export interface ChatTemplateOptions {
  addGenerationPrompt: boolean;
}

/**
 * A model backend. The behaviour every backend keeps (checked by `runBackendBehaviour` in
 * `@lm-eval/core/testing` for each of ours):
 * - each request method returns one answer per request, in input order, however it batches and
 *   reorders internally, and does not modify the request objects it is given;
 * - `hooks.onResult` and `hooks.signal` as documented on {@link RequestHooks};
 * - `close()` (optional) releases everything the backend holds (sockets, timers, child
 *   processes), may be called again (it then does nothing), and every request made after it
 *   rejects with an error saying the model is closed;
 * - {@link cacheIdentity} is the same for two instances of the same model and settings, and
 *   differs when the answers would.
 */
export interface LM {
  /** Registered backend name, e.g. `hf`, `local-completions`, `dummy`. */
  readonly name: string;
  /** Results are returned in input order. */
  loglikelihood(requests: LoglikelihoodRequest[], hooks?: RequestHooks): Promise<LoglikelihoodResult[]>;
  loglikelihoodRolling(requests: RollingRequest[], hooks?: RequestHooks): Promise<number[]>;
  generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]>;
  /**
   * Render a chat (the model's chat template). With `addGenerationPrompt: false` the final
   * (assistant) message is continued (HF `continue_final_message`).
   */
  applyChatTemplate?(messages: ChatMessage[], options: ChatTemplateOptions): Context;
  /** The chat template string recorded in results (`chat_template`), for `--apply_chat_template [name]`. */
  chatTemplate?(name?: string | boolean): string | null;
  /** The device an in-process backend runs on (`cpu`, `cuda`), recorded when --device was not given. */
  readonly device?: string;
  /** Tokenizer name (for the request cache key with chat templates). */
  readonly tokenizerName?: string;
  /** Identity used by the response cache: model name, endpoint or weights path, relevant args. */
  cacheIdentity?(): Record<string, unknown>;
  /** Extra top-level results keys (tokenizer_pad_token, eot_token_id, max_length, ...). */
  resultsInfo?(): Record<string, unknown>;
  /** Extra keys for results `config` (model_num_parameters, model_dtype, ..., batch_sizes). */
  configInfo?(): Record<string, unknown>;
  /**
   * Asked for every task and request type before the first request of the run: null when this
   * backend can serve them, else the problem. Backends may probe their server here (and keep what
   * they learn); a backend without the method serves everything it is given.
   */
  preflight?(query: PreflightQuery): Promise<PreflightProblem | null>;
  close?(): Promise<void>;
}

export interface ModelFactoryOptions {
  batchSize?: string | number;
  maxBatchSize?: number;
  device?: string;
  /** `--strict`: doubtful settings a backend would warn about (e.g. a model name its server does not list) are errors. */
  strict?: boolean;
}

/** Typed `--model_args` (values already converted to bool/int/float/string). */
export type ModelArgs = Record<string, unknown>;

export type ModelFactory = (args: ModelArgs, options: ModelFactoryOptions) => Promise<LM> | LM;
