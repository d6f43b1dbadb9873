/**
 * What the four TemplateAPI backends share: configuration, the HTTP client (headers, retries),
 * the adaptive concurrency window, tokenizer loading, the generate_until payload rules
 * (lm_eval/models/api_models.py `TemplateAPI.generate_until`) and run statistics.
 */
import { createLogger, LmEvalError, type GenKwargs, type RequestHooks } from '@lm-eval/core';
import { configIdentity, type ApiModelConfig } from './args.ts';
import { explainFailure, JsonHttpClient, type BackoffPolicy, type RetryHooks } from './http.ts';
import { TOKENIZER_FIX } from './tokenizer-source.ts';
import { HuggingFaceTokenizer, RemoteTokenizer, TiktokenTokenizer, serverRoot, type ApiTokenizer } from './tokenizers.ts';
import { AdaptiveLimit, runWindow, type WindowControl } from './window.ts';

export interface ApiBackendOptions {
  /** Override the retry waits (tests use short ones). */
  backoff?: BackoffPolicy;
  /** Environment to read LMEVAL_MODEL_NONE_ANSWER_PLACEHOLDER from. */
  env?: NodeJS.ProcessEnv;
  /** Texts per tokenizer call when encoding overlaps sending (default 256; tests use small chunks). */
  encodeChunk?: number;
}

const log = createLogger('openai');

/** A warning event from the API backends (source `openai`). */
export function warn(msg: string): void {
  log.warn(msg);
}

/** lm-eval `handle_stop_sequences(until, eos)`. */
export function handleStopSequences(until: unknown, eos: string | null): string[] {
  let stops: string[];
  if (until === undefined || until === null) stops = [];
  else if (typeof until === 'string') stops = [until];
  else if (Array.isArray(until)) stops = until.map(String);
  else throw new LmEvalError(`gen_kwargs "until" must be a string or a list of strings, got ${JSON.stringify(until)}.`);
  if (eos !== null && !stops.includes(eos)) stops.push(eos);
  return stops;
}

/** Cut at the first occurrence of any stop string (a no-op when the server honoured `stop`). */
export function cutAtStops(text: string, stops: string[]): string {
  let cut = text.length;
  for (const s of stops) {
    if (!s) continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}

/**
 * Splits gen_kwargs the way lm-eval's `_create_payload` pops them: `do_sample` dropped,
 * `max_tokens` (else `max_gen_toks`, else the default), `temperature` (default 0), `until`;
 * everything else is sent verbatim.
 */
export function splitGenKwargs(genKwargs: GenKwargs, defaultMaxGenToks: number, defaultUntil: unknown = undefined) {
  const rest: Record<string, unknown> = { ...genKwargs };
  delete rest.do_sample;
  let maxTokens: unknown;
  if ('max_tokens' in rest) {
    maxTokens = rest.max_tokens;
    delete rest.max_tokens;
  } else {
    maxTokens = 'max_gen_toks' in rest ? rest.max_gen_toks : defaultMaxGenToks;
    delete rest.max_gen_toks;
  }
  const temperature = 'temperature' in rest ? rest.temperature : 0;
  delete rest.temperature;
  const until = 'until' in rest ? rest.until : defaultUntil;
  delete rest.until;
  return { maxTokens, temperature, until, rest };
}

export interface RunStats {
  requests: number;
  attempts: number;
  retries: number;
  rate_limited: number;
  lowest_concurrency: number;
  /** The window's size now (back to num_concurrent once rate limiting has passed). */
  concurrency: number;
}

export abstract class ApiBackendBase {
  readonly http: JsonHttpClient;
  protected readonly limit: AdaptiveLimit;
  protected tokenizer: ApiTokenizer | null = null;
  protected requestsSent = 0;
  protected readonly placeholder: string;

  constructor(
    readonly name: string,
    readonly config: ApiModelConfig,
    options: ApiBackendOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.placeholder = env.LMEVAL_MODEL_NONE_ANSWER_PLACEHOLDER ?? '';
    // The default headers, replaced entirely by the `header` model arg (lm-eval).
    const headers = config.header ?? { Authorization: `Bearer ${config.apiKey}` };
    this.http = new JsonHttpClient({
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      headers,
      verifyCertificate: config.verifyCertificate,
      caCertPath: config.caCertPath,
      maxSockets: config.numConcurrent + 4,
      backoff: options.backoff,
      secrets: [config.apiKey, config.authToken ?? '', ...Object.values(config.header ?? {})].filter((s) => s.length >= 4),
    });
    this.limit = new AdaptiveLimit(config.numConcurrent);
  }

  /** Loads the tokenizer per tokenizer_backend (auto: remote when the server offers /tokenizer_info + /tokenize). */
  async init(): Promise<void> {
    const c = this.config;
    const remoteHeaders: Record<string, string> = c.authToken ? { Authorization: `Bearer ${c.authToken}` } : {};
    switch (c.tokenizerBackend) {
      case 'none':
        this.tokenizer = null;
        break;
      case 'huggingface': {
        const name = c.tokenizer ?? c.model;
        if (!name) throw new LmEvalError('tokenizer_backend=huggingface needs tokenizer=<folder or id> (or model=).');
        this.tokenizer = await HuggingFaceTokenizer.load(name);
        break;
      }
      case 'tiktoken':
        this.tokenizer = await TiktokenTokenizer.load(c.tokenizer ?? c.model ?? '');
        break;
      case 'remote':
        this.tokenizer = await RemoteTokenizer.load(c.baseUrl, this.http, remoteHeaders);
        break;
      case 'auto': {
        try {
          this.tokenizer = await this.probe((client) => RemoteTokenizer.load(c.baseUrl, client, remoteHeaders));
        } catch {
          const server = `${serverRoot(c.baseUrl)} offers neither vLLM's /tokenizer_info nor llama.cpp's /props`;
          const name = c.tokenizer ?? c.model;
          if (!name) throw new LmEvalError(`tokenizer_backend=auto: ${server}, and no tokenizer= or model= was given.`, TOKENIZER_FIX);
          try {
            this.tokenizer = await HuggingFaceTokenizer.load(name);
          } catch (e) {
            if (!(e instanceof LmEvalError)) throw e;
            throw new LmEvalError(`tokenizer_backend=auto: ${server}. ${e.message}`, e.hint, { cause: e });
          }
        }
        break;
      }
    }
    if (this.tokenizer?.kind === 'remote' && c.tokenizerBackend === 'auto') {
      // Re-bind to the retrying client now that the probe succeeded.
      this.tokenizer = await RemoteTokenizer.load(c.baseUrl, this.http, remoteHeaders);
    }
    await this.checkModelListed();
    if (c.backend === 'gguf' && !c.addBosTokenGiven && this.tokenizer) {
      // llama.cpp defaults: BOS exactly when llama-server would add it to a text prompt.
      c.addBosToken = (await this.tokenizer.addsBosByDefault()) ?? false;
    }
  }

  /**
   * A model= that the server's GET /v1/models does not list is a warning (an error with --strict):
   * results would be filed under a name the server does not serve. Servers without the listing are
   * not asked further.
   */
  private async checkModelListed(): Promise<void> {
    const c = this.config;
    if (c.model === null || !['local-completions', 'local-chat-completions', 'gguf'].includes(c.backend)) return;
    let ids: string[];
    try {
      const r = await this.probe((client) => client.request<{ data?: Array<{ id?: unknown }> }>(`${serverRoot(c.baseUrl)}/v1/models`, undefined));
      if (!Array.isArray(r.data)) return;
      ids = r.data.map((m) => String(m.id));
    } catch {
      return;
    }
    if (ids.length === 0 || ids.includes(c.model)) return;
    const msg = `model=${c.model} is not among the models ${serverRoot(c.baseUrl)}/v1/models lists (${ids.slice(0, 5).join(', ')}); results will be filed under '${c.model}'.`;
    const fix = `Pass model=${ids[0]} in --model_args (or the served name you meant).`;
    if (c.strict) throw new LmEvalError(msg, fix);
    warn(`${msg} ${fix} (--strict makes this an error.)`);
  }

  /**
   * Runs `f` with a one-attempt client for an auto-detection probe (a missing endpoint must not be
   * retried), closed afterwards so that its sockets do not outlive the probe.
   */
  protected async probe<T>(f: (client: JsonHttpClient) => Promise<T>): Promise<T> {
    const client = new JsonHttpClient({ ...this.http.options, maxRetries: 1, timeoutMs: Math.min(this.config.timeoutMs, 10_000) });
    try {
      return await f(client);
    } finally {
      client.close();
    }
  }

  /** `max_length − 1`: one position is kept for the generated token. */
  get maxInputLength(): number {
    return this.config.maxLength - 1;
  }

  get prefixTokenId(): number {
    const t = this.tokenizer;
    const id = this.config.customPrefixTokenId ?? t?.bosId ?? t?.eosId ?? null;
    if (id === null) throw new LmEvalError('No prefix token: the tokenizer has neither BOS nor EOS.', 'Pass custom_prefix_token_id=<id> in --model_args.');
    return id;
  }

  get tokenizerName(): string | undefined {
    const t = this.tokenizer;
    if (!t) return undefined;
    return t.name.replaceAll('/', '__');
  }

  /** EOS stop string: eos_string, else the tokenizer's EOS text. */
  protected eosStop(): string | null {
    return this.config.eosString ?? this.tokenizer?.eosText ?? null;
  }

  protected requireTokenizer(what: string): ApiTokenizer {
    if (!this.tokenizer) {
      throw new LmEvalError(
        `${this.name} cannot compute ${what} without a tokenizer (tokenizer_backend=none).`,
        'Pass tokenizer=<local tokenizer folder or .gguf file>, or tokenizer_backend=remote on a vLLM or llama.cpp server (its /tokenize is used).',
      );
    }
    return this.tokenizer;
  }

  private hookCache = new WeakMap<WindowControl, Map<AbortSignal | undefined, RetryHooks>>();

  /** The retry hooks of one window run (built once per run, not per request). */
  private retryHooks(control: WindowControl, signal?: AbortSignal): RetryHooks {
    let bySignal = this.hookCache.get(control);
    if (!bySignal) this.hookCache.set(control, (bySignal = new Map()));
    let h = bySignal.get(signal);
    if (!h) {
      h = { onRateLimited: () => this.limit.rateLimited(), mayRetry: () => control.running, signal };
      bySignal.set(signal, h);
    }
    return h;
  }

  /** POST to base_url (or another URL) through the window's retry hooks; `parse` reads the 2xx reply (default JSON.parse). */
  protected post<T = unknown>(body: unknown, control: WindowControl, signal?: AbortSignal, url = this.config.baseUrl, parse?: (text: string) => unknown): Promise<T> {
    this.requestsSent += 1;
    return this.http.request<T>(url, body, this.retryHooks(control, signal), undefined, parse);
  }

  /** Runs jobs in the sliding window; a final failure becomes a clear LmEvalError. */
  protected async runJobs(count: number | (() => number), job: (i: number, control: WindowControl) => Promise<void>, hooks: RequestHooks, context: { promptTokens?: number } = {}): Promise<void> {
    try {
      await runWindow(count, job, { limit: this.limit, signal: hooks.signal });
    } catch (e) {
      if (hooks.signal?.aborted) throw e;
      throw explainFailure(e, { maxLength: this.config.maxLength, ...context });
    }
  }

  protected runStats(): RunStats {
    return {
      requests: this.requestsSent,
      attempts: this.http.counters.attempts,
      retries: this.http.counters.retries,
      rate_limited: this.http.counters.rateLimited,
      lowest_concurrency: this.limit.lowest,
      concurrency: this.limit.value,
    };
  }

  cacheIdentity(): Record<string, unknown> {
    return configIdentity(this.config);
  }

  private bosPolicy: Record<string, unknown> | null = null;

  /**
   * Called with the first token-id prompt of the run: records the effective BOS policy (for the
   * results' config) and warns once when BOS is left out although the tokenizer adds it by default,
   * as lm-eval's API models do (its issue #3295) while its hf backend adds it.
   */
  protected noteFirstPrompt(ids: number[]): Promise<void> {
    return (this.bosNoted ??= this.recordBosPolicy(ids));
  }

  private bosNoted: Promise<void> | null = null;

  private async recordBosPolicy(ids: number[]): Promise<void> {
    const adds = this.tokenizer ? await this.tokenizer.addsBosByDefault() : null;
    const bosId = this.tokenizer?.bosId ?? null;
    this.bosPolicy = {
      add_bos_token: this.config.addBosToken,
      tokenizer_adds_bos_by_default: adds,
      bos_token_id: bosId,
      first_request_starts_with_bos: bosId !== null && ids[0] === bosId,
      first_request_token_ids: ids.slice(0, 16),
      first_request_length: ids.length,
    };
    if (!this.config.addBosToken && adds === true) {
      warn(
        `${this.name} sends token-id prompts without BOS (add_bos_token=False, lm-eval's default), but this tokenizer adds BOS by default and ` +
          'the hf backend sends it, so scores differ between the two. Pass add_bos_token=True in --model_args to send it ' +
          '(lm-eval issue #3295: https://github.com/EleutherAI/lm-evaluation-harness/issues/3295).',
      );
    }
  }

  /** Extra keys of the results' `config`: the effective BOS policy once a token-id prompt was sent. */
  configInfo(): Record<string, unknown> {
    return this.bosPolicy ? { bos_policy: this.bosPolicy } : {};
  }

  /** lm-eval's add_tokenizer_info (HF tokenizers only) + max_length. */
  protected tokenizerResultsInfo(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const t = this.tokenizer;
    if (t instanceof HuggingFaceTokenizer) {
      const idOf = (s: string | null) => (s === null ? 'None' : String(t.idOf(s)));
      out.tokenizer_pad_token = [t.padText, idOf(t.padText)];
      out.tokenizer_eos_token = [t.eosText, String(t.eosId)];
      out.tokenizer_bos_token = [t.bosText, String(t.bosId)];
      out.eot_token_id = t.eosId;
      out.max_length = this.maxInputLength;
    }
    return out;
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

/** Orders generation requests: grouped by identical gen_kwargs, longest context first in each group. */
export function generationBatches<T>(items: T[], key: (t: T) => string, length: (t: T) => number, batchSize: number): number[][] {
  const groups = new Map<string, number[]>();
  const lengths = new Array<number>(items.length);
  items.forEach((it, i) => {
    const k = key(it);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(i);
    lengths[i] = length(it);
  });
  const batches: number[][] = [];
  for (const g of groups.values()) {
    const sorted = g.sort((a, b) => lengths[b] - lengths[a] || a - b);
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  }
  return batches;
}
