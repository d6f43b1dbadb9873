/**
 * The real model behind the test server: stories260K through @huggingface/transformers
 * (AutoModelForCausalLM forward pass on the ONNX graph, AutoTokenizer). Every number the server
 * sends is computed here; forward passes are cached by token sequence.
 */
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import path from 'node:path';

/** One scored position: log-softmax row (float64) over the vocabulary. */
export type LogprobRow = Float64Array;

interface CausalModel {
  (inputs: { input_ids: Tensor; attention_mask: Tensor }): Promise<{ logits: Tensor }>;
}

export interface TopEntry {
  id: number;
  logprob: number;
  rank: number;
}

export class StoriesModel {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly name: string;
  /** id → raw vocabulary piece (`▁Lily`, `<0x0A>`, `<s>`). */
  readonly pieces: string[];
  private readonly special: Set<number>;
  private readonly rowCache = new Map<string, LogprobRow[]>();
  private readonly rowCacheLimit = 2048;
  forwardPasses = 0;

  private constructor(
    readonly dir: string,
    readonly tokenizer: PreTrainedTokenizer,
    private readonly model: CausalModel,
  ) {
    this.name = path.basename(dir);
    const vocab = tokenizer.get_vocab();
    this.pieces = [];
    for (const [piece, id] of vocab) this.pieces[id] = piece;
    this.vocabSize = this.pieces.length;
    this.bosId = tokenizer.bos_token_id;
    this.eosId = tokenizer.eos_token_id;
    this.special = new Set(tokenizer.all_special_ids);
  }

  static async load(dir: string): Promise<StoriesModel> {
    const abs = path.resolve(dir);
    const tokenizer = await AutoTokenizer.from_pretrained(abs, { local_files_only: true });
    const model = (await AutoModelForCausalLM.from_pretrained(abs, {
      local_files_only: true,
      dtype: 'fp32',
    })) as unknown as CausalModel;
    return new StoriesModel(abs, tokenizer, model);
  }

  get chatTemplate(): string | null {
    const t = (this.tokenizer as unknown as { chat_template?: unknown }).chat_template;
    return typeof t === 'string' ? t : null;
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    if (text === '') return addSpecialTokens ? [this.bosId] : [];
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
  }

  /** Decodes a sequence as a whole (SentencePiece: one leading space of the text is dropped). */
  decode(ids: number[], skipSpecialTokens = true): string {
    if (ids.length === 0) return '';
    return this.tokenizer.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }

  /** UTF-8 bytes a token contributes to a text (special tokens: their literal text). */
  tokenBytes(id: number): Uint8Array {
    const piece = this.pieces[id] ?? '';
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    if (m) return Uint8Array.of(parseInt(m[1], 16));
    return new TextEncoder().encode(piece.replaceAll('\u2581', ' '));
  }

  /**
   * A token rendered on its own, the way vLLM renders echo/logprob tokens: decoded individually,
   * SentencePiece leading space kept (`" Lily"`), an incomplete UTF-8 byte → U+FFFD.
   */
  tokenString(id: number): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.tokenBytes(id));
  }

  /**
   * Text of generated tokens as an incremental detokenizer emits it after a prompt: bytes joined
   * then UTF-8 decoded, special tokens skipped.
   */
  generatedText(ids: number[], skipSpecialTokens = true): string {
    const parts: Uint8Array[] = [];
    for (const id of ids) {
      if (skipSpecialTokens && this.isSpecial(id)) continue;
      parts.push(this.tokenBytes(id));
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    return new TextDecoder('utf-8', { fatal: false }).decode(buf);
  }

  /**
   * Log-softmax rows for `ids`: row i is the distribution of the token at position i+1
   * given ids[0..i]. Cached per sequence; a cached longer sequence serves its prefixes.
   */
  async logprobRows(ids: number[]): Promise<LogprobRow[]> {
    if (ids.length === 0) return [];
    const key = ids.join(',');
    const hit = this.rowCache.get(key);
    if (hit) return hit;
    const n = ids.length;
    const input_ids = new Tensor('int64', BigInt64Array.from(ids.map((x) => BigInt(x))), [1, n]);
    const attention_mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    this.forwardPasses += 1;
    const { logits } = await this.model({ input_ids, attention_mask });
    const data = logits.data as Float32Array;
    const V = this.vocabSize;
    const rows: LogprobRow[] = [];
    for (let i = 0; i < n; i++) {
      const row = new Float64Array(V);
      let max = -Infinity;
      for (let v = 0; v < V; v++) {
        const x = data[i * V + v];
        row[v] = x;
        if (x > max) max = x;
      }
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(row[v] - max);
      const lse = max + Math.log(sum);
      for (let v = 0; v < V; v++) row[v] = Math.max(row[v] - lse, -9999.0);
      rows.push(row);
    }
    if (this.rowCache.size >= this.rowCacheLimit) {
      const first = this.rowCache.keys().next().value;
      if (first !== undefined) this.rowCache.delete(first);
    }
    this.rowCache.set(key, rows);
    return rows;
  }

  /** Ids sorted by descending log-prob (ties: lower id first). */
  static ranked(row: LogprobRow, k: number): TopEntry[] {
    const idx = Array.from(row.keys());
    idx.sort((a, b) => row[b] - row[a] || a - b);
    const out: TopEntry[] = [];
    for (let r = 0; r < Math.min(k, idx.length); r++) out.push({ id: idx[r], logprob: row[idx[r]], rank: r + 1 });
    return out;
  }

  /** vLLM rank of `id` in `row`: 1 + number of tokens with a strictly larger log-prob. */
  static rankOf(row: LogprobRow, id: number): number {
    const x = row[id];
    let r = 1;
    for (let v = 0; v < row.length; v++) if (row[v] > x) r++;
    return r;
  }
}
