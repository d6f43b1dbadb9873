/**
 * Tokenizer backends of the API models (lm_eval/models/api_models.py `TemplateAPI.__init__`): `huggingface` (AutoTokenizer from
 * where tokenizer-source.ts finds it: a folder, a .gguf file, the Hub cache or a Hub download),
 * `tiktoken` (js-tiktoken's encoding_for_model), `remote` (the server's own /tokenize and
 * /detokenize, with vLLM's /tokenizer_info or llama.cpp's /props).
 * Single encodings are memoised (bounded); batches go to the caller, which drops them when done.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createLogger, LmEvalError } from '@lm-eval/core';
import type { JsonHttpClient } from './http.ts';
import { agreesWith, loadNativeEncoder, type NativeBatchEncoder } from '@lm-eval/core/models';
import { locateTokenizer, TOKENIZER_FIX, type TokenizerSource } from './tokenizer-source.ts';
import { readGgufTokenizer } from './gguf-tokenizer.ts';

const log = createLogger('openai');

export interface ApiTokenizer {
  readonly kind: 'huggingface' | 'tiktoken' | 'remote';
  /** Name recorded in results / request-cache keys. */
  readonly name: string;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly eosText: string | null;
  readonly bosText: string | null;
  readonly padText: string | null;
  readonly chatTemplate: string | null;
  encode(text: string, addSpecialTokens: boolean): Promise<number[]>;
  /** Synchronous (memoised) encoding, for local tokenizers; absent for `remote`. */
  encodeSync?(text: string, addSpecialTokens: boolean): number[];
  /** Encodes many texts (remote: concurrently). */
  encodeMany(texts: string[], addSpecialTokens: boolean): Promise<number[][]>;
  /**
   * Whether the ids of `head + tail` are exactly `encode(head)` followed by `encodeTails([tail])`'s
   * ids (absent: never), so that a shared head is encoded once and only the tails besides.
   */
  splitsAt?(head: string, tail: string): boolean;
  /** The ids of tails accepted by splitsAt (distinct texts; the caller dedupes). */
  encodeTails?(tails: string[]): Promise<number[][]>;
  decode(ids: number[]): Promise<string>;
  /** Whether this tokenizer puts BOS in front of a text by default (null: cannot tell). */
  addsBosByDefault(): Promise<boolean | null>;
}

/** Token ids the memo of single encodings holds at most (then it starts over): bounded memory. */
const MEMO_IDS = 1 << 20;

/**
 * Memoising wrapper for single encodings (the preflight's sample, then the same text in the run;
 * remote tokenizers' round trips). Batches (`encodeMany`) are returned to the caller, which keeps
 * them as long as it needs them, and are not memoised: a run's encodings must not outlive it.
 */
abstract class CachedTokenizer {
  private readonly cache = new Map<string, number[]>();
  private readonly cacheNoSpecial = new Map<string, number[]>();
  /** token ids held by both memos */
  private memoIds = 0;
  protected abstract rawEncode(text: string, addSpecialTokens: boolean): Promise<number[]> | number[];

  private remember(cache: Map<string, number[]>, text: string, ids: number[]): void {
    if (this.memoIds + ids.length > MEMO_IDS) {
      this.cache.clear();
      this.cacheNoSpecial.clear();
      this.memoIds = 0;
    }
    if (ids.length > MEMO_IDS) return;
    cache.set(text, ids);
    this.memoIds += ids.length;
  }

  async encode(text: string, addSpecialTokens: boolean): Promise<number[]> {
    const cache = addSpecialTokens ? this.cache : this.cacheNoSpecial;
    const hit = cache.get(text);
    if (hit) return hit;
    const ids = await this.rawEncodeAsync(text, addSpecialTokens);
    this.remember(cache, text, ids);
    return ids;
  }

  /** Sync twin of encode() for tokenizers whose rawEncode is synchronous. */
  protected encodeSyncCached(text: string, addSpecialTokens: boolean): number[] {
    const cache = addSpecialTokens ? this.cache : this.cacheNoSpecial;
    const hit = cache.get(text);
    if (hit) return hit;
    const ids = this.rawEncode(text, addSpecialTokens) as number[];
    this.remember(cache, text, ids);
    return ids;
  }

  /** One text for encode(); the default is rawEncode. */
  protected rawEncodeAsync(text: string, addSpecialTokens: boolean): Promise<number[]> | number[] {
    return this.rawEncode(text, addSpecialTokens);
  }

  /** Encodes distinct, non-empty texts in one go; the default encodes one by one. */
  protected rawEncodeBatch(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    return Promise.all(texts.map((t) => this.rawEncode(t, addSpecialTokens)));
  }

  /** Encodes many texts: each distinct one once (memoised ones from the memo), the rest in one batch. */
  async encodeMany(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    const cache = addSpecialTokens ? this.cache : this.cacheNoSpecial;
    const out: number[][] = new Array(texts.length);
    const todo = new Map<string, number[]>();
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i];
      const hit = cache.get(t);
      if (hit !== undefined) out[i] = hit;
      else if (t === '') out[i] = await this.encode(t, addSpecialTokens);
      else todo.set(t, EMPTY);
    }
    if (todo.size > 0) {
      const distinct = [...todo.keys()];
      const ids = await this.rawEncodeBatch(distinct, addSpecialTokens);
      for (let k = 0; k < distinct.length; k++) todo.set(distinct[k], ids[k]);
      for (let i = 0; i < texts.length; i++) if (out[i] === undefined) out[i] = todo.get(texts[i])!;
    }
    return out;
  }
}

const EMPTY: number[] = [];

interface HfTokenizerLike {
  encode(text: string, o: { add_special_tokens: boolean }): number[];
  decode(ids: number[], o?: { skip_special_tokens?: boolean }): string;
  bos_token_id?: number | null;
  eos_token_id?: number | null;
  bos_token?: string | null;
  eos_token?: string | null;
  pad_token?: string | null;
  unk_token?: string | null;
  chat_template?: unknown;
  convert_tokens_to_ids?(t: string): number | null | undefined;
}

/** What the backend takes from a tokenizer besides its encoder: special tokens, chat template, ids of tokens, decoding. */
interface TokenizerFacts {
  bosId: number | null;
  eosId: number | null;
  bosText: string | null;
  eosText: string | null;
  padText: string | null;
  unkText: string | null;
  chatTemplate: string | null;
  idOf(token: string): number | null;
  decode(ids: number[]): Promise<string>;
}

function factsOf(tok: HfTokenizerLike): TokenizerFacts {
  return {
    bosId: tok.bos_token_id ?? null,
    eosId: tok.eos_token_id ?? null,
    bosText: tok.bos_token ?? null,
    eosText: tok.eos_token ?? null,
    padText: tok.pad_token ?? null,
    unkText: tok.unk_token ?? null,
    chatTemplate: typeof tok.chat_template === 'string' ? tok.chat_template : null,
    idOf: (t) => {
      const id = tok.convert_tokens_to_ids?.(t);
      return typeof id === 'number' ? id : null;
    },
    decode: async (ids) => tok.decode(ids),
  };
}

/**
 * transformers.js tokenizer classes that add nothing to PreTrainedTokenizer's special tokens,
 * chat template and decoding (their class bodies in @huggingface/transformers 4.x are empty or
 * set only padding_side / token type ids).
 */
const PLAIN_CLASSES = new Set(['PreTrainedTokenizer', 'LlamaTokenizer', 'CodeLlamaTokenizer', 'GPT2Tokenizer', 'GPTNeoXTokenizer', 'Qwen2Tokenizer', 'GemmaTokenizer', 'BloomTokenizer', 'FalconTokenizer', 'T5Tokenizer', 'XLMRobertaTokenizer', 'RobertaTokenizer', 'BartTokenizer', 'CohereTokenizer', 'CodeGenTokenizer']);

/** transformers.js's getTokenFromConfig: the first key present with a truthy value, a string or an AddedToken's content; undefined: a value it would reject. */
function tokenFromConfig(config: Record<string, unknown>, ...keys: string[]): string | null | undefined {
  for (const key of keys) {
    if (!Object.hasOwn(config, key)) continue;
    const item = config[key];
    if (!item) continue;
    if (typeof item === 'string') return item;
    if (typeof item === 'object' && (item as { __type?: unknown }).__type === 'AddedToken' && typeof (item as { content?: unknown }).content === 'string') return (item as { content: string }).content;
    return undefined;
  }
  return null;
}

/** transformers.js's clean_up_tokenization (spaces before punctuation and English contractions). */
function cleanUpTokenization(text: string): string {
  return text.replace(/ \./g, '.').replace(/ \?/g, '?').replace(/ !/g, '!').replace(/ ,/g, ',').replace(/ ' /g, "'").replace(/ n't/g, "n't").replace(/ 'm/g, "'m").replace(/ 's/g, "'s").replace(/ 've/g, "'ve").replace(/ 're/g, "'re");
}

/**
 * The facts transformers.js's AutoTokenizer would give for `dir`, taken from the native tokenizer
 * and tokenizer_config.json as transformers.js's PreTrainedTokenizer constructor and decode do,
 * so that transformers.js need not be loaded; null where that is not certain (no or unreadable
 * tokenizer_config.json, a tokenizer class with its own behaviour, a WordPiece decoder's
 * `cleanup`, a value transformers.js would reject): the caller then loads transformers.js.
 */
export function nativeFacts(dir: string, native: NativeBatchEncoder): TokenizerFacts | null {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return null;
  const cls = config.tokenizer_class;
  if (cls !== undefined && (typeof cls !== 'string' || !PLAIN_CLASSES.has(cls.replace(/Fast$/, '')))) return null;
  if (native.decoderCleanup) return null; // read from tokenizer.json when the encoder was loaded
  const bosText = tokenFromConfig(config, 'bos_token');
  const eosText = tokenFromConfig(config, 'eos_token');
  const padText = tokenFromConfig(config, 'pad_token', 'eos_token');
  const unkText = tokenFromConfig(config, 'unk_token');
  if (bosText === undefined || eosText === undefined || padText === undefined || unkText === undefined) return null;
  const template = config.chat_template;
  if (template !== undefined && template !== null && typeof template !== 'string') return null;
  const cleanup = config.clean_up_tokenization_spaces ?? true;
  const idOf = (t: string | null) => (t === null ? null : native.tokenToId(t));
  return {
    bosId: idOf(bosText),
    eosId: idOf(eosText),
    bosText,
    eosText,
    padText,
    unkText,
    chatTemplate: typeof template === 'string' ? template : null,
    idOf: (t) => native.tokenToId(t),
    decode: async (ids) => {
      const text = await native.decode(ids, false);
      return cleanup ? cleanUpTokenization(text) : text;
    },
  };
}

export class HuggingFaceTokenizer extends CachedTokenizer implements ApiTokenizer {
  readonly kind = 'huggingface' as const;
  private constructor(
    readonly name: string,
    private readonly facts: TokenizerFacts,
    /** transformers.js's tokenizer (null: the native encoder encodes everything). */
    private readonly tok: HfTokenizerLike | null,
    /** HF's Rust tokenizers for batch encoding (null: transformers.js encodes everything). */
    private readonly native: NativeBatchEncoder | null = null,
  ) {
    super();
  }

  /** Whether batches are encoded by the native (Rust) encoder. */
  get nativeEncoder(): string | null {
    return this.native?.description ?? null;
  }

  /** Whether transformers.js was loaded for this tokenizer. */
  get usesTransformersJs(): boolean {
    return this.tok !== null;
  }

  /** One loaded tokenizer (and its encoding cache) per folder/id for the whole process. */
  private static readonly loaded = new Map<string, Promise<HuggingFaceTokenizer>>();

  static load(nameOrPath: string): Promise<HuggingFaceTokenizer> {
    const source = locateTokenizer(nameOrPath);
    const id = source.kind === 'gguf' ? source.file : source.kind === 'hub-download' ? source.repo : source.dir;
    let p = HuggingFaceTokenizer.loaded.get(id);
    if (!p) {
      p = HuggingFaceTokenizer.loadUncached(nameOrPath, source);
      HuggingFaceTokenizer.loaded.set(id, p);
      p.catch(() => HuggingFaceTokenizer.loaded.delete(id));
    }
    return p;
  }

  private static async loadUncached(nameOrPath: string, source: TokenizerSource): Promise<HuggingFaceTokenizer> {
    let native: NativeBatchEncoder | null = null;
    if (source.kind !== 'gguf' && source.kind !== 'hub-download') {
      // HF's Rust tokenizers alone, as Python's fast tokenizer: transformers.js (~40 MB) is not loaded.
      native = await loadNativeEncoder(source.dir);
      const facts = native === null ? null : nativeFacts(source.dir, native);
      if (native !== null && facts !== null) return new HuggingFaceTokenizer(nameOrPath, facts, null, native);
    }
    // Its CommonJS build, through require: the CLI's TypeScript loader (tsx) hooks only ES module
    // imports, and rewriting this 1.3 MB bundle on every start cost ~1.5 s and ~80 MB.
    const transformers = createRequire(import.meta.url)('@huggingface/transformers') as typeof import('@huggingface/transformers');
    if (source.kind === 'gguf') {
      const { tokenizerJson, tokenizerConfig } = await readGgufTokenizer(source.file);
      const tok = new (transformers.PreTrainedTokenizer as unknown as new (j: object, c: object) => HfTokenizerLike)(tokenizerJson, tokenizerConfig);
      return new HuggingFaceTokenizer(nameOrPath, factsOf(tok), tok);
    }
    if (source.kind === 'hub-download') {
      log.info(`downloading the tokenizer '${source.repo}' from the Hugging Face Hub (as Python lm-eval does; HF_HUB_OFFLINE=1 prevents it)`);
      try {
        const tok = (await transformers.AutoTokenizer.from_pretrained(source.repo)) as unknown as HfTokenizerLike;
        return new HuggingFaceTokenizer(nameOrPath, factsOf(tok), tok);
      } catch (e) {
        throw new LmEvalError(
          `Could not find the tokenizer '${nameOrPath}': ${source.tried.join('; ')}; the Hub download failed: ${(e as Error).message}`,
          TOKENIZER_FIX,
          { cause: e },
        );
      }
    }
    try {
      // the native encoder loaded above (not loaded twice), kept where it agrees with transformers.js
      const tok = (await transformers.AutoTokenizer.from_pretrained(source.dir, { local_files_only: true })) as unknown as HfTokenizerLike;
      return new HuggingFaceTokenizer(nameOrPath, factsOf(tok), tok, await HuggingFaceTokenizer.agreeing(tok, native));
    } catch (e) {
      throw new LmEvalError(
        `Could not load the Hugging Face tokenizer '${nameOrPath}' from ${source.kind === 'hub-cache' ? `the Hugging Face cache (${source.dir})` : source.dir}: ${(e as Error).message}`,
        TOKENIZER_FIX,
        { cause: e },
      );
    }
  }

  /**
   * The native encoder when it gives transformers.js's ids on every probe, else null: a setting
   * that transformers.js applies on top of tokenizer.json must not be lost.
   */
  private static async agreeing(tok: HfTokenizerLike, native: NativeBatchEncoder | null): Promise<NativeBatchEncoder | null> {
    if (native === null) return null;
    return (await agreesWith(native, (t, add) => tok.encode(t, { add_special_tokens: add }))) ? native : null;
  }

  protected rawEncode(text: string, addSpecialTokens: boolean): number[] {
    if (text === '') return addSpecialTokens && this.bosId !== null ? [this.bosId] : [];
    // without transformers.js every non-empty text goes to the native encoder (rawEncodeAsync, rawEncodeBatch)
    if (this.tok === null) throw new Error('HuggingFaceTokenizer: no synchronous encoder without transformers.js');
    return this.tok.encode(text, { add_special_tokens: addSpecialTokens });
  }
  protected override rawEncodeBatch(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    if (this.native === null) return super.rawEncodeBatch(texts, addSpecialTokens);
    return this.native.encodeBatch(texts, addSpecialTokens);
  }
  splitsAt(head: string, tail: string): boolean {
    return this.native !== null && this.native.splitsAt(head, tail);
  }
  encodeTails(tails: string[]): Promise<number[][]> {
    if (this.native === null) throw new Error('HuggingFaceTokenizer.encodeTails without a native encoder');
    return this.native.encodeTails(tails);
  }
  /** A single text by the native encoder too (linear in the text, off the event loop). */
  protected override async rawEncodeAsync(text: string, addSpecialTokens: boolean): Promise<number[]> {
    if (this.native === null || text === '') return this.rawEncode(text, addSpecialTokens);
    return (await this.native.encodeBatch([text], addSpecialTokens))[0];
  }
  async decode(ids: number[]): Promise<string> {
    return ids.length ? this.facts.decode(ids) : '';
  }
  async addsBosByDefault(): Promise<boolean> {
    return this.bosId !== null && (await this.encode('a', true))[0] === this.bosId;
  }
  idOf(token: string): number | null {
    return this.facts.idOf(token);
  }
  get bosId() {
    return this.facts.bosId;
  }
  get eosId() {
    return this.facts.eosId;
  }
  get bosText() {
    return this.facts.bosText;
  }
  get eosText() {
    return this.facts.eosText;
  }
  /** pad ← unk ← eos, as lm-eval configures it. */
  get padText() {
    return this.facts.padText ?? this.facts.unkText ?? this.facts.eosText;
  }
  get chatTemplate() {
    return this.facts.chatTemplate;
  }
}

interface TiktokenLike {
  encode(text: string, allowedSpecial?: string[] | 'all'): number[];
  decode(ids: number[]): string;
}

export class TiktokenTokenizer extends CachedTokenizer implements ApiTokenizer {
  readonly kind = 'tiktoken' as const;
  readonly bosId = null;
  readonly bosText = null;
  readonly chatTemplate = null;
  readonly eosText = '<|endoftext|>';
  readonly padText = '<|endoftext|>';
  readonly eosId: number;
  private constructor(
    readonly name: string,
    private readonly enc: TiktokenLike,
  ) {
    super();
    this.eosId = enc.encode('<|endoftext|>', 'all')[0];
  }
  static async load(model: string): Promise<TiktokenTokenizer> {
    const { encodingForModel } = await import('js-tiktoken');
    try {
      return new TiktokenTokenizer(model, encodingForModel(model as Parameters<typeof encodingForModel>[0]) as unknown as TiktokenLike);
    } catch (e) {
      throw new LmEvalError(`tiktoken has no encoding for model '${model}': ${(e as Error).message}`, 'Use tokenizer_backend=huggingface with tokenizer=<folder>, or a model name tiktoken knows.', { cause: e });
    }
  }
  encodeSync(text: string, addSpecialTokens: boolean): number[] {
    return this.encodeSyncCached(text, addSpecialTokens);
  }
  protected rawEncode(text: string): number[] {
    return this.enc.encode(text);
  }
  async decode(ids: number[]): Promise<string> {
    return this.enc.decode(ids);
  }
  async addsBosByDefault(): Promise<boolean> {
    return false;
  }
}

/** `<server>` = base_url without `/v1/completions` or `/v1/chat/completions`, no trailing slash. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/v1\/(chat\/)?completions\/?$/, '').replace(/\/+$/, '');
}

/** Which server's tokenizer endpoints: vLLM (`/tokenizer_info`, `/tokenize {prompt}`) or llama.cpp (`/props`, `/tokenize {content}`). */
export type RemoteFlavour = 'vllm' | 'llamacpp';

export class RemoteTokenizer extends CachedTokenizer implements ApiTokenizer {
  readonly kind = 'remote' as const;
  flavour: RemoteFlavour = 'vllm';
  bosId: number | null = null;
  eosId: number | null = null;
  eosText: string | null = null;
  bosText: string | null = null;
  padText: string | null = null;
  chatTemplate: string | null = null;
  private constructor(
    readonly name: string,
    private readonly root: string,
    private readonly http: JsonHttpClient,
    private readonly headers: Record<string, string>,
  ) {
    super();
  }

  /**
   * Detects the server from what it answers: vLLM's /tokenizer_info (needs a string `eos_token`),
   * else llama.cpp's /props (`bos_token`, `eos_token`, `chat_template`); checks /tokenize answers.
   */
  static async load(baseUrl: string, http: JsonHttpClient, headers: Record<string, string> = {}): Promise<RemoteTokenizer> {
    const root = serverRoot(baseUrl);
    const t = new RemoteTokenizer(root, root, http, headers);
    let info: Record<string, unknown>;
    try {
      info = await http.request<Record<string, unknown>>(`${root}/tokenizer_info`, undefined, {}, headers);
    } catch (e) {
      let props: Record<string, unknown> | null = null;
      try {
        props = await http.request<Record<string, unknown>>(`${root}/props`, undefined, {}, headers);
      } catch {
        props = null;
      }
      if (props && (typeof props.eos_token === 'string' || 'default_generation_settings' in props)) return t.fromLlamaCppProps(props);
      throw new LmEvalError(
        `tokenizer_backend=remote: ${root} offers neither vLLM's GET /tokenizer_info (${(e as Error).message}) nor llama.cpp's GET /props.`,
        'Start vLLM with --enable-tokenizer-info-endpoint, point base_url at a llama.cpp llama-server, pass tokenizer=<local tokenizer folder or .gguf file>, or use tokenizer_backend=none (generation only).',
        { cause: e },
      );
    }
    const tokText = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : null);
    t.eosText = tokText(info.eos_token);
    if (t.eosText === null) throw new LmEvalError(`tokenizer_backend=remote: ${root}/tokenizer_info has no eos_token.`);
    t.bosText = tokText(info.bos_token);
    t.padText = tokText(info.pad_token) ?? tokText(info.unk_token) ?? t.eosText;
    t.chatTemplate = typeof info.chat_template === 'string' ? info.chat_template : null;
    t.eosId = (await t.encode(t.eosText, false))[0] ?? null;
    t.bosId = t.bosText ? ((await t.encode(t.bosText, false))[0] ?? null) : null;
    return t;
  }

  private bosByDefault: boolean | null | undefined = undefined;

  /** Asked once through /tokenize with special tokens on (llama.cpp `add_special`, vLLM `add_special_tokens`). */
  async addsBosByDefault(): Promise<boolean | null> {
    if (this.bosByDefault === undefined) {
      const body = this.flavour === 'llamacpp' ? { content: 'a', add_special: true } : { prompt: 'a', add_special_tokens: true };
      try {
        const r = await this.http.request<{ tokens?: unknown }>(`${this.root}/tokenize`, body, {}, this.headers);
        const first = Array.isArray(r.tokens) ? r.tokens[0] : undefined;
        const id = typeof first === 'number' ? first : (first as { id?: number } | undefined)?.id;
        this.bosByDefault = this.bosId === null ? null : id === this.bosId;
      } catch {
        this.bosByDefault = null;
      }
    }
    return this.bosByDefault;
  }

  private async fromLlamaCppProps(props: Record<string, unknown>): Promise<RemoteTokenizer> {
    this.flavour = 'llamacpp';
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    this.eosText = str(props.eos_token);
    this.bosText = str(props.bos_token);
    this.padText = this.eosText;
    this.chatTemplate = str(props.chat_template);
    this.eosId = this.eosText ? ((await this.encode(this.eosText, false))[0] ?? null) : null;
    this.bosId = this.bosText ? ((await this.encode(this.bosText, false))[0] ?? null) : null;
    return this;
  }

  /**
   * vLLM: never adds special tokens (lm-eval RemoteTokenizer). llama.cpp (beyond lm-eval, whose
   * remote tokenizer cannot talk to it): `add_special` follows add_bos_token, like a local tokenizer.
   */
  protected async rawEncode(text: string, addSpecialTokens: boolean): Promise<number[]> {
    const body = this.flavour === 'llamacpp' ? { content: text, add_special: addSpecialTokens } : { prompt: text, add_special_tokens: false };
    const r = await this.http.request<{ tokens?: unknown }>(`${this.root}/tokenize`, body, {}, this.headers);
    if (!Array.isArray(r.tokens)) throw new LmEvalError(`${this.root}/tokenize answered without a "tokens" list.`);
    return (r.tokens as unknown[]).map((x) => (typeof x === 'number' ? x : (x as { id: number }).id));
  }
  async decode(ids: number[]): Promise<string> {
    const r = await this.http.request<{ prompt?: unknown; content?: unknown }>(`${this.root}/detokenize`, { tokens: ids }, {}, this.headers);
    const s = r.prompt ?? r.content;
    if (typeof s !== 'string') throw new LmEvalError(`${this.root}/detokenize answered without a "prompt" string.`);
    return s;
  }
  override async encodeMany(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    // Bounded fan-out (64 round trips in flight) so a large run does not open thousands of sockets at once.
    const out: number[][] = new Array(texts.length);
    let next = 0;
    const worker = async () => {
      while (next < texts.length) {
        const i = next++;
        out[i] = await this.encode(texts[i], addSpecialTokens);
      }
    };
    await Promise.all(Array.from({ length: Math.min(64, texts.length) }, worker));
    return out;
  }
}
