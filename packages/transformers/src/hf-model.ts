/**
 * `--model hf`: lm-eval's HuggingFace backend (lm_eval/models/huggingface.py `HFLM`) running in-process
 * on transformers.js / onnxruntime (CPU by default).
 */
import v8 from 'node:v8';
import seedrandom from 'seedrandom';
import type { PreTrainedModel } from '@huggingface/transformers';
import { agreesWith, loadNativeEncoder, RequestTooLargeError, type BatchEncoder } from '@lm-eval/core/models';
import {
  createLogger,
  JsonChatStr,
  LmEvalError,
  type ChatMessage,
  type ChatTemplateOptions,
  type Context,
  type GenerateRequest,
  type GenKwargs,
  type LM,
  type LoglikelihoodRequest,
  type LoglikelihoodResult,
  type ModelArgs,
  type ModelFactoryOptions,
  type RequestHooks,
  type RollingRequest,
} from '@lm-eval/core';
import { checkDevice } from './runtime-support.ts';
import { parseHfArgs, type HfArgs } from './args.ts';
import { loadModel, type LoadedModel } from './loading.ts';
import { HfTokenizer } from './tokenization.ts';
import { BatchScheduler, type ModelDims } from './batching.ts';
import { scoreTokenRequests, type TokenRequest } from './scoring.ts';
import { rollingWindows } from './rolling.ts';
import { generateBatch, type GenerationSpec } from './generation.ts';
import type { Rng, SamplingParams } from './sampling.ts';
import { renderChat, selectChatTemplate } from './chat.ts';

const log = createLogger('hf');

/** transformers' "no limit" sentinel for `model_max_length`. */
const INFINITE_MODEL_MAX_LENGTH = 1000000000000000019884624838656;
const DEFAULT_MAX_LENGTH = 2048;

/** gen_kwargs consumed here; everything else is reported once (a warning event) and ignored. */
const KNOWN_GEN_KWARGS = new Set(['until', 'max_gen_toks', 'max_new_tokens', 'do_sample', 'temperature', 'top_p', 'top_k']);

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && 'valueOf' in v) {
    const n = (v as { valueOf(): unknown }).valueOf();
    if (typeof n === 'number') return n;
  }
  return undefined;
}

function ids(v: unknown): number[] {
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return typeof v === 'number' ? [v] : [];
}

/** lm-eval's `max_length`: explicit, else config (text_config first) seq-len attrs, else tokenizer, else 2048. */
export function resolveMaxLength(explicit: number | undefined, config: Record<string, unknown>, tokenizerConfig: Record<string, unknown>): number {
  if (explicit !== undefined) return explicit;
  const cfg = (config.text_config as Record<string, unknown> | undefined) ?? config;
  for (const attr of ['n_positions', 'max_position_embeddings', 'n_ctx']) {
    const v = num(cfg[attr]);
    if (v !== undefined) return v;
  }
  const tml = num(tokenizerConfig.model_max_length);
  if (tml !== undefined && tml !== INFINITE_MODEL_MAX_LENGTH) return tml;
  return DEFAULT_MAX_LENGTH;
}

function modelDims(config: Record<string, unknown>): ModelDims {
  const cfg = (config.text_config as Record<string, unknown> | undefined) ?? config;
  const hidden = num(cfg.hidden_size) ?? num(cfg.n_embd) ?? num(cfg.d_model) ?? 4096;
  const heads = num(cfg.num_attention_heads) ?? num(cfg.n_head) ?? 32;
  const kvHeads = num(cfg.num_key_value_heads) ?? heads;
  const headDim = num(cfg.head_dim) ?? Math.floor(hidden / heads);
  return {
    vocab: num(cfg.vocab_size) ?? 32000,
    layers: num(cfg.num_hidden_layers) ?? num(cfg.n_layer) ?? 32,
    hidden,
    intermediate: num(cfg.intermediate_size) ?? num(cfg.n_inner) ?? hidden * 4,
    kvWidth: kvHeads * headDim,
  };
}

function contextText(ctx: Context, method: string): string {
  if (ctx instanceof JsonChatStr || typeof ctx !== 'string') {
    throw new LmEvalError(`--model hf: ${method} got a chat-completions (JSON) prompt; the hf backend takes plain text prompts.`, 'Use --apply_chat_template so prompts are rendered with the tokenizer template.');
  }
  return ctx;
}

function torchDtypeName(dtype: string): string {
  return { fp32: 'torch.float32', fp16: 'torch.float16' }[dtype] ?? dtype;
}

/**
 * Heap bytes transformers.js's BPE needs per character of one text (a linked node and a queue
 * entry per symbol; measured on the bundled tokenizer: 2M characters fit in a 512 MB heap, 4M do
 * not). A longer text is refused before encoding: it could only end in a heap-exhaustion crash.
 */
const TRANSFORMERS_JS_BYTES_PER_CHAR = 200;

export class HfLM implements LM {
  readonly name = 'hf';
  /** The device it runs on (recorded in the results' config when --device was not given). */
  get device(): string {
    return this.args.device;
  }
  readonly tokenizerName: string;
  readonly maxLength: number;
  readonly prefixTokenId: number;
  readonly tokenizer: HfTokenizer;
  private readonly model: PreTrainedModel;
  private readonly scheduler: BatchScheduler;
  private readonly stopTokenIds: Set<number>;
  private readonly rng: Rng;
  private readonly warned = new Set<string>();
  private selectedTemplate: string | null = null;
  private closed = false;

  constructor(
    readonly args: HfArgs,
    private readonly loaded: LoadedModel,
    /** HF's native encoder for the folder's tokenizer.json, already checked against transformers.js (null: none). */
    native: BatchEncoder | null = null,
  ) {
    this.model = loaded.model;
    this.tokenizer = new HfTokenizer(loaded.tokenizer, args.addBosToken, native);
    this.tokenizerName = args.pretrained.replace(/\//g, '__');
    this.maxLength = resolveMaxLength(args.maxLength, loaded.config, loaded.tokenizerConfig);
    const prefix = args.prefixTokenId ?? this.tokenizer.bosTokenId ?? this.tokenizer.eosTokenId;
    if (prefix === null) throw new LmEvalError('--model hf: the tokenizer has neither a BOS nor an EOS token.', 'Pass prefix_token_id=<id> in --model_args.');
    this.prefixTokenId = prefix;
    this.scheduler = new BatchScheduler(args.batchSize, args.maxBatchSize, modelDims(loaded.config));
    // Generation ends on generation_config/config `eos_token_id` (int or list), the tokenizer's EOS,
    // and the BOS id: a model that emits BOS has started a new document (llama2.c models such as
    // stories260K end every story this way and never emit EOS).
    this.stopTokenIds = new Set([
      ...ids(loaded.generationConfig.eos_token_id),
      ...ids(loaded.config.eos_token_id),
      ...(this.tokenizer.eosTokenId !== null ? [this.tokenizer.eosTokenId] : []),
      ...(this.tokenizer.bosTokenId !== null ? [this.tokenizer.bosTokenId] : []),
    ]);
    this.rng = seedrandom(String(args.seed));
  }

  /**
   * Without the native encoder, a text too long for transformers.js in this heap is refused
   * before any work, naming its size and the limit (`texts[i]` belongs to request `i`).
   */
  private refuseUnencodable(texts: readonly string[]): void {
    if (this.tokenizer.native !== null) return;
    const heap = v8.getHeapStatistics().heap_size_limit;
    const limit = Math.floor(heap / TRANSFORMERS_JS_BYTES_PER_CHAR);
    texts.forEach((t, i) => {
      if (t.length <= limit) return;
      throw new RequestTooLargeError(
        i,
        `the prompt has ${t.length.toLocaleString('en-US')} characters; encoding it with transformers.js needs about ${TRANSFORMERS_JS_BYTES_PER_CHAR} bytes per character, more than this process's ${Math.round(heap / 2 ** 20).toLocaleString('en-US')} MB heap (at most ${limit.toLocaleString('en-US')} characters).`,
        `Let the native tokenizers encode it (unset LMEVAL_NATIVE_TOKENIZERS=0; the folder needs a tokenizer.json), or give node a larger heap (NODE_OPTIONS=--max-old-space-size=<MB>).`,
      );
    });
  }

  get padTokenId(): number {
    return this.tokenizer.padTokenId ?? 0;
  }

  async loglikelihood(requests: LoglikelihoodRequest[], hooks: RequestHooks = {}): Promise<LoglikelihoodResult[]> {
    this.ensureOpen();
    const pairs = requests.map((r) => ({ context: contextText(r.context, 'loglikelihood'), continuation: r.continuation }));
    this.refuseUnencodable(pairs.map((p) => p.context + p.continuation));
    let tokenRequests: TokenRequest[];
    try {
      await this.tokenizer.encodePairsAhead(pairs, hooks.signal);
      tokenRequests = pairs.map((p) => this.tokenizer.encodePair(p.context, p.continuation, this.prefixTokenId));
    } finally {
      // the encodings are released before scoring, whether encoding finished or not
      this.tokenizer.forget();
    }
    return this.scoreTokens(tokenRequests, hooks);
  }

  /** Scores already-tokenised `(context, continuation)` pairs. */
  async scoreTokens(requests: TokenRequest[], hooks: RequestHooks = {}): Promise<LoglikelihoodResult[]> {
    this.ensureOpen();
    return scoreTokenRequests(this.model, requests, {
      maxLength: this.maxLength,
      padTokenId: this.padTokenId,
      scheduler: this.scheduler,
      onResult: hooks.onResult,
      signal: hooks.signal,
    });
  }

  async loglikelihoodRolling(requests: RollingRequest[], hooks: RequestHooks = {}): Promise<number[]> {
    this.ensureOpen();
    const totals = new Array<number>(requests.length).fill(0);
    const pending = new Array<number>(requests.length).fill(0);
    const windows: TokenRequest[] = [];
    const owner: number[] = [];
    // The text is encoded without special tokens unless add_bos_token=True was given
    // (lm-eval: `add_special_tokens = False or add_bos_token`); the prefix token supplies BOS.
    const special = this.args.addBosToken === true;
    this.refuseUnencodable(requests.map((r) => r.text));
    try {
      await this.tokenizer.encodeAhead(
        requests.map((r) => r.text),
        special,
        hooks.signal,
      );
      requests.forEach((r, i) => {
        const tokens = this.tokenizer.encodeRaw(r.text, special);
        for (const w of rollingWindows(tokens, this.prefixTokenId, this.maxLength)) {
          windows.push(w);
          owner.push(i);
          pending[i] += 1;
        }
      });
    } finally {
      this.tokenizer.forget();
    }
    requests.forEach((_, i) => {
      if (pending[i] === 0) hooks.onResult?.(i, 0);
    });
    await this.scoreTokens(windows, {
      signal: hooks.signal,
      onResult: (w, value) => {
        const i = owner[w];
        totals[i] += (value as LoglikelihoodResult)[0];
        pending[i] -= 1;
        if (pending[i] === 0) hooks.onResult?.(i, totals[i]);
      },
    });
    return totals;
  }

  /** Normalises one request's gen_kwargs the way lm-eval's HF backend hands them to `generate()`. */
  generationSpec(genKwargs: GenKwargs): { spec: GenerationSpec; maxGenToks: number } {
    const kw = { ...genKwargs };
    let until: string[];
    if (kw.until === undefined || kw.until === null) until = [];
    else if (typeof kw.until === 'string') until = [kw.until];
    else if (Array.isArray(kw.until) && kw.until.every((u) => typeof u === 'string')) until = [...(kw.until as string[])];
    else throw new LmEvalError(`generate_until: gen_kwargs.until must be a string or a list of strings, got ${JSON.stringify(kw.until)}.`, 'Fix generation_kwargs.until in the task YAML.');
    const eosText = this.tokenizer.eosToken;
    if (eosText !== null) until.push(eosText);
    const maxGen = num(kw.max_gen_toks) ?? num(kw.max_new_tokens) ?? this.args.maxGenToks;
    if (!Number.isInteger(maxGen) || maxGen < 1) throw new LmEvalError(`generate_until: max_gen_toks must be a positive integer, got ${String(maxGen)}.`, 'Fix generation_kwargs in the task YAML.');
    // lm-eval: temperature defaults to 0.0; temperature 0 without do_sample means greedy; otherwise
    // do_sample falls back to the generation config (transformers: false).
    const temperature = num(kw.temperature) ?? 0;
    let doSample: boolean;
    if (kw.do_sample !== undefined && kw.do_sample !== null) doSample = Boolean(kw.do_sample);
    else doSample = temperature === 0 ? false : Boolean(this.loaded.generationConfig.do_sample ?? false);
    if (doSample && !(temperature > 0)) {
      throw new LmEvalError(`generate_until: do_sample=True needs temperature > 0, got ${temperature}.`, 'Set temperature in generation_kwargs or use do_sample: false.');
    }
    for (const k of Object.keys(kw)) {
      if (!KNOWN_GEN_KWARGS.has(k) && !this.warned.has(k)) {
        this.warned.add(k);
        log.warn(`generation kwarg '${k}' is not supported by the transformers.js backend and is ignored.`);
      }
    }
    const gc = this.loaded.generationConfig;
    const sampling: SamplingParams = {
      doSample,
      temperature: doSample ? temperature : 1,
      topK: num(kw.top_k) ?? num(gc.top_k) ?? 50,
      topP: num(kw.top_p) ?? num(gc.top_p) ?? 1,
    };
    return { spec: { maxNewTokens: maxGen, stopTokenIds: this.stopTokenIds, stopStrings: until, sampling }, maxGenToks: maxGen };
  }

  async generateUntil(requests: GenerateRequest[], hooks: RequestHooks = {}): Promise<string[]> {
    this.ensureOpen();
    const results = new Array<string>(requests.length);
    // Group by identical gen_kwargs (lm-eval's Collator group_by="gen_kwargs"), first-seen order.
    const groups = new Map<string, number[]>();
    requests.forEach((r, i) => {
      const key = JSON.stringify(r.genKwargs);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const members of groups.values()) {
      const { spec, maxGenToks } = this.generationSpec(requests[members[0]].genKwargs);
      const maxCtx = this.maxLength - maxGenToks;
      if (maxCtx < 1) {
        throw new LmEvalError(`generate_until: max_gen_toks=${maxGenToks} leaves no room for the prompt with max_length=${this.maxLength}.`, 'Lower max_gen_toks or raise max_length.');
      }
      const contexts = members.map((i) => contextText(requests[i].context, 'generate_until'));
      try {
        this.refuseUnencodable(contexts);
      } catch (e) {
        throw e instanceof RequestTooLargeError ? e.at(members[e.index]) : e;
      }
      await this.tokenizer.encodeAhead(contexts, 'encode', hooks.signal);
      const encoded = members.map((i, k) => ({ i, text: contexts[k], tokens: this.tokenizer.encode(contexts[k]).slice(-maxCtx) }));
      this.tokenizer.forget();
      // lm-eval sorts by (-len(tokens), context).
      encoded.sort((a, b) => b.tokens.length - a.tokens.length || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
      const size = this.scheduler.sizeFor(encoded[0].tokens.length + maxGenToks);
      for (let s = 0; s < encoded.length; s += size) {
        hooks.signal?.throwIfAborted();
        const batch = encoded.slice(s, s + size);
        const started = performance.now();
        const texts = await generateBatch(this.model, this.tokenizer, batch.map((e) => e.tokens), spec, this.padTokenId, this.rng, hooks.signal);
        // a batch is decoded together: each of its rows took the batch's wall-clock time
        const latency = (performance.now() - started) / 1000;
        batch.forEach((e, k) => {
          if (hooks.onDetail) {
            // completion tokens: the (stop-cut) answer re-encoded without special tokens
            hooks.onDetail(e.i, { prompt_tokens: e.tokens.length, completion_tokens: this.tokenizer.encodeRaw(texts[k], false).length, latency_s: latency });
          }
          results[e.i] = texts[k];
          hooks.onResult?.(e.i, texts[k]);
        });
      }
    }
    hooks.signal?.throwIfAborted(); // aborted while the last batch was delivered
    return results;
  }

  applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions): Context {
    const template = this.selectedTemplate ?? this.chatTemplate();
    if (template === null) {
      throw new LmEvalError(`--model hf: ${this.args.pretrained} has no chat template (tokenizer_config.json chat_template).`, 'Run without --apply_chat_template.');
    }
    return renderChat(this.loaded.tokenizer, template, messages, options.addGenerationPrompt);
  }

  chatTemplate(name?: string | boolean): string | null {
    if (name === false) return null;
    const raw = (this.loaded.tokenizer as unknown as { chat_template?: unknown }).chat_template ?? this.loaded.tokenizerConfig.chat_template ?? null;
    const template = selectChatTemplate(raw, typeof name === 'string' ? name : undefined);
    this.selectedTemplate = template;
    return template;
  }

  cacheIdentity(): Record<string, unknown> {
    return {
      model: 'hf',
      pretrained: this.args.pretrained,
      revision: this.args.revision,
      dtype: this.loaded.dtype,
      max_length: this.maxLength,
      add_bos_token: this.args.addBosToken ?? null,
      prefix_token_id: this.prefixTokenId,
    };
  }

  resultsInfo(): Record<string, unknown> {
    const pair = (tok: string | null, id: number | null) => (tok === null ? [null, 'None'] : [tok, String(id)]);
    return {
      tokenizer_pad_token: pair(this.tokenizer.padToken, this.tokenizer.padTokenId),
      tokenizer_eos_token: pair(this.tokenizer.eosToken, this.tokenizer.eosTokenId),
      tokenizer_bos_token: pair(this.tokenizer.bosToken, this.tokenizer.bosTokenId),
      eot_token_id: this.tokenizer.eosTokenId,
      max_length: this.maxLength,
    };
  }

  configInfo(): Record<string, unknown> {
    return {
      model_num_parameters: this.loaded.numParameters,
      model_dtype: torchDtypeName(this.loaded.dtype),
      model_revision: this.args.revision,
      model_sha: this.loaded.sha,
      batch_sizes: this.scheduler.recordedSizes(),
    };
  }

  /** Releases the ONNX session; a second call does nothing, and requests made after it fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.model.dispose();
  }

  private ensureOpen(): void {
    if (this.closed) throw new LmEvalError(`--model hf: the model ${this.args.pretrained} is closed.`, 'Create a new model to send more requests.');
  }
}

/** Factory for `--model hf`. */
export async function createHfModel(args: ModelArgs, options: ModelFactoryOptions = {}): Promise<LM> {
  const parsed = parseHfArgs(args, options);
  checkDevice(parsed.device); // what this installation can run, before anything loads
  const loaded = await loadModel(parsed.pretrained, parsed.revision, parsed.dtype, parsed.device);
  return new HfLM(parsed, loaded, await nativeEncoderFor(loaded));
}

/**
 * HF's native `tokenizers` for the model folder's tokenizer.json when it gives transformers.js's
 * ids on every probe (a setting transformers.js applies on top of tokenizer.json must not be
 * lost), else null: transformers.js then encodes everything.
 */
async function nativeEncoderFor(loaded: LoadedModel): Promise<BatchEncoder | null> {
  const native = loaded.dir ? await loadNativeEncoder(loaded.dir) : null;
  if (native === null) return null;
  const reference = (text: string, add: boolean) => loaded.tokenizer.encode(text, { add_special_tokens: add }).map(Number);
  if (await agreesWith(native, reference)) return native;
  log.debug(`${native.description} gives other ids than transformers.js on a probe text; encoding with transformers.js`);
  return null;
}
