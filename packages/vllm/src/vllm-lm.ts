/**
 * `--model vllm`: lm-eval's vLLM offline backend (lm_eval/models/vllm_causallms.py `VLLM`), driving `vllm.LLM`
 * in a Python worker process (worker-process.ts).
 *
 * Split of work: the worker tokenises (vLLM's own tokenizer, one policy: "worker:vllm") and runs
 * the engine; this class builds the token-level requests exactly as lm-eval does (pair
 * encoding, rolling windows with L = max_length − 2, `max_length − 1` input truncation, sort
 * orders, batching), maps the answers back to input order and fires `onResult` as each batch
 * finishes.
 */
import { createLogger, LmEvalError, registerModel, type ChatMessage, type ChatTemplateOptions, type Context, type GenerateRequest, type LM, type LoglikelihoodRequest, type LoglikelihoodResult, type ModelArgs, type ModelFactoryOptions, type RequestHooks, type RollingRequest } from '@lm-eval/core';
import { renderChatTemplate } from '@lm-eval/core/models';
import { compareCodePoints } from '@lm-eval/core/python';
import { parseVllmArgs, type VllmConfig } from './args.ts';
import { planSampling, postprocessGeneration } from './gen-kwargs.ts';
import {
  causalPair,
  compareTokenLists,
  emptyContextPair,
  loglikelihoodInput,
  planPair,
  rollingWindows,
  sortedOrder,
} from './token-requests.ts';
import { PROTOCOL_VERSION, VllmWorker, type WorkerHello } from './worker-process.ts';

const workerLog = createLogger('vllm');

/** What the worker reports after building the engine. */
export interface VllmWorkerInfo {
  protocol: number;
  vllm_version: string | null;
  engine_max_model_len: number | null;
  config_max_length: number | null;
  data_parallel_size: number;
  add_bos_token: boolean | null;
  tokenization: string;
  tokenizer: {
    name_or_path: string;
    bos_token: string | null;
    bos_token_id: number | null;
    eos_token: string | null;
    eos_token_id: number | null;
    eos_text: string | null;
    pad_token: string | null;
    pad_token_id: number | null;
    unk_token: string | null;
    chat_template: string | Record<string, string> | null;
  };
}

export interface VllmLMOptions {
  /** Extra environment for the worker (e.g. PYTHONPATH, CUDA_VISIBLE_DEVICES). */
  env?: Record<string, string | undefined>;
  /** Receives the worker's log lines (default: INFO events from source `vllm`). */
  onLog?: (line: string) => void;
  /** Seconds to wait for `import vllm` (default 120 s). */
  startupTimeoutMs?: number;
  workerPath?: string;
}

interface GenerateItem {
  text: string;
  finish_reason: string | null;
  stop_reason: string | number | null;
  n_tokens: number;
}

function fromWireFloat(x: unknown): number {
  if (typeof x === 'number') return x;
  if (x === '-inf') return -Infinity;
  if (x === 'inf') return Infinity;
  return NaN;
}

function requireText(context: Context, method: string): string {
  if (typeof context !== 'string') {
    throw new LmEvalError(
      `--model vllm ${method}: got a chat-completions (JSON) prompt; vLLM offline takes plain text prompts.`,
      'Use --apply_chat_template with the model tokenizer template (the vllm backend renders it to text).',
    );
  }
  return context;
}

/** Python `x[-k:]` for k possibly ≤ 0 (lm-eval's left truncation keeps Python slice semantics). */
function pyTail<T>(x: T[], k: number): T[] {
  const start = -k;
  if (start >= 0) return x.slice(Math.min(start, x.length));
  return x.slice(Math.max(0, x.length + start));
}

export class VllmLM implements LM {
  readonly name = 'vllm';

  private constructor(
    readonly config: VllmConfig,
    private readonly worker: VllmWorker,
    readonly info: VllmWorkerInfo,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the worker, builds the engine and checks the handshake. */
  static async create(args: ModelArgs, factoryOptions: ModelFactoryOptions = {}, options: VllmLMOptions = {}): Promise<VllmLM> {
    const config = parseVllmArgs(args, factoryOptions);
    const log = options.onLog ?? ((line: string) => workerLog.info(line));
    const worker = await VllmWorker.start({
      python: config.python,
      env: options.env,
      onLog: log,
      startupTimeoutMs: options.startupTimeoutMs,
      workerPath: options.workerPath,
    });
    let info: VllmWorkerInfo;
    try {
      info = await worker.request<VllmWorkerInfo>('init', {
        protocol: PROTOCOL_VERSION,
        config: {
          pretrained: config.pretrained,
          tokenizer: config.tokenizer,
          revision: config.revision,
          tokenizer_mode: config.tokenizerMode,
          tokenizer_revision: config.tokenizerRevision,
          dtype: config.dtype,
          trust_remote_code: config.trustRemoteCode,
          tensor_parallel_size: config.tensorParallelSize,
          data_parallel_size: config.dataParallelSize,
          gpu_memory_utilization: config.gpuMemoryUtilization,
          quantization: config.quantization,
          max_model_len: config.maxLength,
          max_num_seqs: config.maxBatchSize,
          seed: config.seed,
          add_bos_token: config.addBosToken,
          lora_local_path: config.loraLocalPath,
          max_lora_rank: config.maxLoraRank,
          enable_thinking: config.enableThinking,
          chat_template_args: config.chatTemplateArgs,
          extra: config.extra,
        },
      });
    } catch (e) {
      await worker.close(2_000).catch(() => undefined);
      throw e;
    }
    return new VllmLM(config, worker, info, log);
  }

  /** The worker's hello (protocol, vLLM version, interpreter). */
  get hello(): WorkerHello {
    return this.worker.hello!;
  }

  /** Worker process id (for diagnostics and tests). */
  get workerPid(): number | undefined {
    return this.worker.pid;
  }

  /** lm-eval `max_length`: explicit, else the engine's `max_model_len` (data parallel: config). */
  get maxLength(): number {
    return this.config.maxLength ?? this.info.engine_max_model_len ?? this.info.config_max_length ?? 2048;
  }

  /** Prefix for empty contexts and rolling windows: custom, else BOS, else EOS. */
  get prefixTokenId(): number {
    const t = this.info.tokenizer;
    const id = this.config.prefixTokenId ?? t.bos_token_id ?? t.eos_token_id;
    if (id === null || id === undefined) throw new LmEvalError('vllm: the tokenizer has neither BOS nor EOS; pass model_args prefix_token_id=.');
    return id;
  }

  get tokenizerName(): string {
    return this.info.tokenizer.name_or_path.replace(/\//g, '__');
  }

  /** Batch size sent to the worker: 0 = `auto` (one `generate` call for everything). */
  private get wireBatchSize(): number {
    return this.config.batchSize === 'auto' ? 0 : this.config.batchSize;
  }

  /** Encodes texts in the worker: `special` true = the backend's BOS policy, false = none. */
  async tokenize(texts: string[], special: boolean[] | boolean, signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const flags = Array.isArray(special) ? special : texts.map(() => special);
    const res = await this.worker.request<{ ids: number[][] }>('tokenize', { texts, special: flags }, { signal });
    return res.ids;
  }

  // -- loglikelihood --------------------------------------------------------------------------
  async loglikelihood(requests: LoglikelihoodRequest[], hooks: RequestHooks = {}): Promise<LoglikelihoodResult[]> {
    const plans = requests.map((r) => planPair(requireText(r.context, 'loglikelihood'), r.continuation));
    const texts: string[] = [];
    const special: boolean[] = [];
    for (const p of plans) {
      if (p.kind === 'empty-context') {
        texts.push(p.continuation);
        special.push(false);
      } else {
        texts.push(p.whole, p.context);
        special.push(true, true);
      }
    }
    const ids = await this.tokenize(texts, special, hooks.signal);
    let k = 0;
    const prefix = plans.some((p) => p.kind === 'empty-context') ? this.prefixTokenId : -1;
    const pairs = plans.map((p): [number[], number[]] => {
      if (p.kind === 'empty-context') return emptyContextPair(ids[k++], prefix);
      const whole = ids[k++];
      const ctx = ids[k++];
      return causalPair(whole, ctx);
    });
    return this.scoreTokenPairs(pairs, true, hooks, (i, r) => hooks.onResult?.(i, r));
  }

  /**
   * lm-eval `_loglikelihood_tokens`: sort by (−len(ctx+cont), tokens) when `sort`, truncate,
   * score in batches; `onEach` fires per item as its batch finishes.
   */
  private async scoreTokenPairs(
    pairs: Array<[number[], number[]]>,
    sort: boolean,
    hooks: RequestHooks,
    onEach: (index: number, result: LoglikelihoodResult) => void,
  ): Promise<LoglikelihoodResult[]> {
    const results: LoglikelihoodResult[] = new Array(pairs.length);
    if (pairs.length === 0) return results;
    const order = sort
      ? sortedOrder(pairs, (a, b) => {
          const la = a[0].length + a[1].length;
          const lb = b[0].length + b[1].length;
          return lb - la || compareTokenLists(a[0].concat(a[1]), b[0].concat(b[1]));
        })
      : pairs.map((_, i) => i);
    const maxLength = this.maxLength;
    const prompts: number[][] = [];
    const ctxlens: number[] = [];
    for (const i of order) {
      const [ctx, cont] = pairs[i];
      if (ctx.length + cont.length > maxLength) {
        this.log(`[lm-eval vllm] Context length ${ctx.length + cont.length} exceeds max length (${maxLength}). Truncating context.`);
      }
      const { inp, ctxlen } = loglikelihoodInput(ctx, cont, maxLength);
      prompts.push(inp);
      ctxlens.push(ctxlen);
    }
    await this.worker.request(
      'score',
      { prompts, ctxlens, batch_size: this.wireBatchSize },
      {
        signal: hooks.signal,
        onProgress: (start, batch) => {
          batch.forEach((r, j) => {
            const [lp, greedy] = r as [unknown, boolean];
            const idx = order[start + j];
            const value: LoglikelihoodResult = [fromWireFloat(lp), Boolean(greedy)];
            results[idx] = value;
            onEach(idx, value);
          });
        },
      },
    );
    this.checkComplete(results, 'loglikelihood');
    return results;
  }

  private checkComplete(results: unknown[], what: string): void {
    for (let i = 0; i < results.length; i++) {
      if (results[i] === undefined) throw new LmEvalError(`vllm ${what}: the worker returned no answer for request ${i}.`);
    }
  }

  // -- loglikelihood_rolling ------------------------------------------------------------------
  async loglikelihoodRolling(requests: RollingRequest[], hooks: RequestHooks = {}): Promise<number[]> {
    const ids = await this.tokenize(
      requests.map((r) => r.text),
      true,
      hooks.signal,
    );
    // lm-eval latest vLLM: max_seq_len = max_length − 2 (one slot for the prefix/context token
    // of the next window's input, one for the generated token of the scoring call).
    const L = this.maxLength - 2;
    const owners: number[] = [];
    const windows: Array<[number[], number[]]> = [];
    const counts = ids.map((toks, i) => {
      const w = toks.length ? rollingWindows(toks, this.prefixTokenId, L, 1) : [];
      for (const x of w) {
        windows.push(x);
        owners.push(i);
      }
      return w.length;
    });
    const perText: number[][] = requests.map(() => []);
    const remaining = [...counts];
    const out = new Array<number | undefined>(requests.length);
    requests.forEach((_, i) => {
      if (counts[i] === 0) {
        out[i] = 0;
        hooks.onResult?.(i, 0);
      }
    });
    // lm-eval: windows go in order, in chunks of batch_size (all at once with auto); each chunk
    // is sorted longest-first inside `_loglikelihood_tokens`.
    const bs = this.wireBatchSize;
    const chunkOrder: number[] = [];
    const step = bs > 0 ? bs : windows.length;
    for (let s = 0; s < windows.length; s += step) {
      const idx = Array.from({ length: Math.min(step, windows.length - s) }, (_, j) => s + j);
      const sorted = sortedOrder(
        idx.map((i) => windows[i]),
        (a, b) => b[0].length + b[1].length - (a[0].length + a[1].length) || compareTokenLists(a[0].concat(a[1]), b[0].concat(b[1])),
      ).map((j) => idx[j]);
      chunkOrder.push(...sorted);
    }
    const windowValues = new Array<number>(windows.length);
    await this.scoreTokenPairs(
      chunkOrder.map((i) => windows[i]),
      false,
      hooks,
      (pos, [lp]) => {
        const w = chunkOrder[pos];
        windowValues[w] = lp;
        const owner = owners[w];
        perText[owner].push(w);
        if (--remaining[owner] === 0) {
          // Sum in window order, as lm-eval does.
          let total = 0;
          for (const wi of perText[owner].sort((a, b) => a - b)) total += windowValues[wi];
          out[owner] = total;
          hooks.onResult?.(owner, total);
        }
      },
    );
    this.checkComplete(out, 'loglikelihood_rolling');
    return out as number[];
  }

  // -- generate_until -------------------------------------------------------------------------
  async generateUntil(requests: GenerateRequest[], hooks: RequestHooks = {}): Promise<string[]> {
    const contexts = requests.map((r) => requireText(r.context, 'generate_until'));
    const encoded = await this.tokenize(contexts, true, hooks.signal);
    const eosText = this.info.tokenizer.eos_text;
    const plans = requests.map((r) => planSampling(r.genKwargs, this.config.maxGenToks, eosText));
    const maxLength = this.maxLength;
    const prompts = encoded.map((x, i) => {
      const maxCtxLen = maxLength - plans[i].maxGenToks;
      if (x.length > maxCtxLen) {
        this.log(`[lm-eval vllm] Context length ${x.length} exceeds max length (context + max gen tokens): ${maxCtxLen}. Truncating context.`);
        return pyTail(x, maxCtxLen);
      }
      return x;
    });
    // lm-eval latest: sort by (−len(tokens), context); one SamplingParams per request.
    const order = sortedOrder(
      requests.map((_, i) => i),
      (a, b) => encoded[b].length - encoded[a].length || compareCodePoints(contexts[a], contexts[b]),
    );
    const results = new Array<string>(requests.length);
    await this.worker.request(
      'generate',
      {
        prompts: order.map((i) => prompts[i]),
        params: order.map((i) => plans[i].params),
        batch_size: this.wireBatchSize,
      },
      {
        signal: hooks.signal,
        onProgress: (start, batch) => {
          batch.forEach((r, j) => {
            const idx = order[start + j];
            const text = postprocessGeneration((r as GenerateItem).text, plans[idx].until, this.config.thinkEndToken);
            results[idx] = text;
            hooks.onResult?.(idx, text);
          });
        },
      },
    );
    this.checkComplete(results, 'generate_until');
    return results;
  }

  // -- chat templates -------------------------------------------------------------------------
  /**
   * lm-eval: `tokenizer.apply_chat_template(..., add_generation_prompt,
   * continue_final_message = not add_generation_prompt)` with vLLM's resolved template,
   * retried without system messages when the template fails. Rendered here with the template
   * string the worker reported (the LM contract is synchronous); {@link renderChatInWorker}
   * renders through the Python tokenizer itself.
   */
  applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions): Context {
    const template = this.chatTemplate();
    if (!template) {
      throw new LmEvalError(`vllm: the tokenizer of ${this.config.pretrained} has no chat template.`, 'Drop --apply_chat_template.');
    }
    const t = this.info.tokenizer;
    const variables: Record<string, unknown> = {
      bos_token: t.bos_token,
      eos_token: t.eos_token,
      unk_token: t.unk_token,
      pad_token: t.pad_token,
      ...this.config.chatTemplateArgs,
    };
    if (this.config.enableThinking !== null) variables.enable_thinking = this.config.enableThinking;
    const render = (msgs: ChatMessage[]) =>
      renderChatTemplate(template, msgs, {
        addGenerationPrompt: options.addGenerationPrompt,
        continueFinalMessage: !options.addGenerationPrompt,
        variables,
      });
    try {
      return render(messages);
    } catch {
      this.log('[lm-eval vllm] Failed to apply chat template. removing the system role in chat history.');
      return render(messages.filter((m) => m.role !== 'system'));
    }
  }

  /** The same rendering done by the worker's (vLLM's) tokenizer. */
  async renderChatInWorker(messages: ChatMessage[], options: ChatTemplateOptions): Promise<string> {
    const r = await this.worker.request<{ text: string }>('apply_chat_template', {
      messages,
      add_generation_prompt: options.addGenerationPrompt,
    });
    return r.text;
  }

  chatTemplate(name?: string | boolean): string | null {
    const t = this.info.tokenizer.chat_template;
    if (t === null || t === undefined) return null;
    if (typeof t === 'string') return t;
    if (typeof name === 'string' && name in t) return t[name];
    return t.default ?? null;
  }

  // -- results metadata -----------------------------------------------------------------------
  cacheIdentity(): Record<string, unknown> {
    const c = this.config;
    return {
      model: 'vllm',
      pretrained: c.pretrained,
      tokenizer: c.tokenizer,
      revision: c.revision,
      dtype: c.dtype,
      add_bos_token: c.addBosToken,
      max_length: this.maxLength,
      lora_local_path: c.loraLocalPath,
      seed: c.seed,
    };
  }

  resultsInfo(): Record<string, unknown> {
    const t = this.info.tokenizer;
    return {
      tokenizer_pad_token: [t.pad_token, String(t.pad_token_id)],
      tokenizer_eos_token: [t.eos_token, String(t.eos_token_id)],
      tokenizer_bos_token: [t.bos_token, String(t.bos_token_id)],
      eot_token_id: t.eos_token_id,
      max_length: this.maxLength,
      tokenization: this.info.tokenization,
    };
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}

/** Registers `--model vllm`. */
export function registerVllmModels(): void {
  registerModel('vllm', (args, options) => VllmLM.create(args, options));
}
