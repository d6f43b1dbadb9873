/**
 * Tokenizer backends of the API models (api-backends.md §3.1): `huggingface` (AutoTokenizer from a
 * local folder or the local Hub cache, never the network), `tiktoken` (js-tiktoken's
 * encoding_for_model), `remote` (the server's own /tokenize, /detokenize, /tokenizer_info).
 * Encodings are memoised so tokenisation stays off the request path on repeated runs.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { LmEvalError } from '@lm-eval/core';
import type { JsonHttpClient } from './http.ts';

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
  decode(ids: number[]): Promise<string>;
}

/** Memoising wrapper: most evaluation texts repeat (shared contexts, reruns). */
abstract class CachedTokenizer {
  private readonly cache = new Map<string, number[]>();
  private readonly limit = 500_000;
  protected abstract rawEncode(text: string, addSpecialTokens: boolean): Promise<number[]> | number[];

  private readonly cacheNoSpecial = new Map<string, number[]>();

  async encode(text: string, addSpecialTokens: boolean): Promise<number[]> {
    const cache = addSpecialTokens ? this.cache : this.cacheNoSpecial;
    const hit = cache.get(text);
    if (hit) return hit;
    const ids = await this.rawEncode(text, addSpecialTokens);
    if (cache.size >= this.limit) cache.clear();
    cache.set(text, ids);
    return ids;
  }

  /** Sync twin of encode() for tokenizers whose rawEncode is synchronous. */
  protected encodeSyncCached(text: string, addSpecialTokens: boolean): number[] {
    const cache = addSpecialTokens ? this.cache : this.cacheNoSpecial;
    const hit = cache.get(text);
    if (hit) return hit;
    const ids = this.rawEncode(text, addSpecialTokens) as number[];
    if (cache.size >= this.limit) cache.clear();
    cache.set(text, ids);
    return ids;
  }

  async encodeMany(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    return Promise.all(texts.map((t) => this.encode(t, addSpecialTokens)));
  }
}

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

export class HuggingFaceTokenizer extends CachedTokenizer implements ApiTokenizer {
  readonly kind = 'huggingface' as const;
  private constructor(
    readonly name: string,
    private readonly tok: HfTokenizerLike,
  ) {
    super();
  }

  /** One loaded tokenizer (and its encoding cache) per folder/id for the whole process. */
  private static readonly loaded = new Map<string, Promise<HuggingFaceTokenizer>>();

  static load(nameOrPath: string): Promise<HuggingFaceTokenizer> {
    const local = existsSync(nameOrPath) && statSync(nameOrPath).isDirectory();
    const id = local ? path.resolve(nameOrPath) : nameOrPath;
    let p = HuggingFaceTokenizer.loaded.get(id);
    if (!p) {
      p = HuggingFaceTokenizer.loadUncached(nameOrPath, id, local);
      HuggingFaceTokenizer.loaded.set(id, p);
      p.catch(() => HuggingFaceTokenizer.loaded.delete(id));
    }
    return p;
  }

  private static async loadUncached(nameOrPath: string, id: string, local: boolean): Promise<HuggingFaceTokenizer> {
    const { AutoTokenizer } = await import('@huggingface/transformers');
    try {
      const tok = (await AutoTokenizer.from_pretrained(id, { local_files_only: true })) as unknown as HfTokenizerLike;
      return new HuggingFaceTokenizer(nameOrPath, tok);
    } catch (e) {
      throw new LmEvalError(
        `Could not load the Hugging Face tokenizer '${nameOrPath}' ${local ? 'from that folder' : 'from the local cache (tokenizers are never downloaded here)'}: ${(e as Error).message}`,
        'Pass tokenizer=<local folder with tokenizer.json>, or tokenizer_backend=remote to use the server\'s /tokenize.',
        { cause: e },
      );
    }
  }

  encodeSync(text: string, addSpecialTokens: boolean): number[] {
    return this.encodeSyncCached(text, addSpecialTokens);
  }
  protected rawEncode(text: string, addSpecialTokens: boolean): number[] {
    if (text === '') return addSpecialTokens && this.bosId !== null ? [this.bosId] : [];
    return this.tok.encode(text, { add_special_tokens: addSpecialTokens });
  }
  async decode(ids: number[]): Promise<string> {
    return ids.length ? this.tok.decode(ids) : '';
  }
  idOf(token: string): number | null {
    const id = this.tok.convert_tokens_to_ids?.(token);
    return typeof id === 'number' ? id : null;
  }
  get bosId() {
    return this.tok.bos_token_id ?? null;
  }
  get eosId() {
    return this.tok.eos_token_id ?? null;
  }
  get bosText() {
    return this.tok.bos_token ?? null;
  }
  get eosText() {
    return this.tok.eos_token ?? null;
  }
  /** pad ← unk ← eos, as lm-eval configures it. */
  get padText() {
    return this.tok.pad_token ?? this.tok.unk_token ?? this.tok.eos_token ?? null;
  }
  get chatTemplate() {
    return typeof this.tok.chat_template === 'string' ? this.tok.chat_template : null;
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
}

/** `<server>` = base_url without `/v1/completions` or `/v1/chat/completions`, no trailing slash. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/v1\/(chat\/)?completions\/?$/, '').replace(/\/+$/, '');
}

export class RemoteTokenizer extends CachedTokenizer implements ApiTokenizer {
  readonly kind = 'remote' as const;
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

  /** Loads /tokenizer_info (needs a string `eos_token`) and checks /tokenize answers. */
  static async load(baseUrl: string, http: JsonHttpClient, headers: Record<string, string> = {}): Promise<RemoteTokenizer> {
    const root = serverRoot(baseUrl);
    const t = new RemoteTokenizer(root, root, http, headers);
    let info: Record<string, unknown>;
    try {
      info = await http.request<Record<string, unknown>>(`${root}/tokenizer_info`, undefined, {}, headers);
    } catch (e) {
      throw new LmEvalError(
        `tokenizer_backend=remote: GET ${root}/tokenizer_info failed (${(e as Error).message}).`,
        'Start vLLM with --enable-tokenizer-info-endpoint, or use tokenizer_backend=huggingface with a local tokenizer folder.',
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

  /** The remote backend never adds special tokens (lm-eval RemoteTokenizer). */
  protected async rawEncode(text: string): Promise<number[]> {
    const r = await this.http.request<{ tokens?: unknown }>(`${this.root}/tokenize`, { prompt: text, add_special_tokens: false }, {}, this.headers);
    if (!Array.isArray(r.tokens)) throw new LmEvalError(`${this.root}/tokenize answered without a "tokens" list.`);
    return r.tokens as number[];
  }
  async decode(ids: number[]): Promise<string> {
    const r = await this.http.request<{ prompt?: unknown; content?: unknown }>(`${this.root}/detokenize`, { tokens: ids }, {}, this.headers);
    const s = r.prompt ?? r.content;
    if (typeof s !== 'string') throw new LmEvalError(`${this.root}/detokenize answered without a "prompt" string.`);
    return s;
  }
  override async encodeMany(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    // Bounded fan-out so a large run does not open thousands of sockets at once.
    const out: number[][] = new Array(texts.length);
    let next = 0;
    const worker = async () => {
      while (next < texts.length) {
        const i = next++;
        out[i] = await this.encode(texts[i], addSpecialTokens);
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, texts.length) }, worker));
    return out;
  }
}
