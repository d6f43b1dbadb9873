/**
 * lm-eval's HF tokenizer policy (lm_eval/models/huggingface.py `HFLM.tok_encode`) on a transformers.js tokenizer:
 * special tokens per `add_bos_token`, no second BOS on strings that already start with the BOS
 * text (chat-templated prompts), and `_encode_pair`.
 *
 * Texts are encoded ahead of use ({@link HfTokenizer.encodeAhead}), in batches, by HF's native
 * `tokenizers` when the folder has one giving transformers.js's ids (linear in the text and off the
 * event loop, so Ctrl-C is seen), else by transformers.js one text at a time with a yield between
 * texts; the synchronous encoders then read those ids.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { splitTrailingWhitespace, type BatchEncoder } from '@lm-eval/core/models';

/** Characters Python's `str.rstrip()` removes (`str.isspace()`), at the end of a string. */
export interface TokenPair {
  context: number[];
  continuation: number[];
}

export class HfTokenizer {
  readonly bosToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosToken: string | null;
  readonly eosTokenId: number | null;
  readonly padToken: string | null;
  readonly padTokenId: number | null;

  /** Ids encoded ahead, by special-token choice (cleared by {@link forget}). */
  private readonly ahead = [new Map<string, number[]>(), new Map<string, number[]>()];

  constructor(
    readonly tokenizer: PreTrainedTokenizer,
    /** undefined = the tokenizer's own default (what `add_special_tokens=True` adds). */
    readonly addBosToken: boolean | undefined,
    /** HF's native encoder when it gives this tokenizer's ids (checked by the loader), else null. */
    readonly native: BatchEncoder | null = null,
  ) {
    const t = tokenizer as unknown as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
    this.bosToken = str(t.bos_token);
    this.bosTokenId = num(t.bos_token_id);
    this.eosToken = str(t.eos_token);
    this.eosTokenId = num(t.eos_token_id);
    // lm-eval configures a missing pad token as pad ← unk ← eos.
    this.padToken = str(t.pad_token) ?? str(t.unk_token) ?? this.eosToken;
    this.padTokenId = num(t.pad_token_id) ?? num(t.unk_token_id) ?? this.eosTokenId;
  }

  /** Raw encode with an explicit special-token choice (ids encoded ahead are read, not recomputed). */
  encodeRaw(text: string, addSpecialTokens: boolean): number[] {
    const hit = this.ahead[addSpecialTokens ? 1 : 0].get(text);
    if (hit !== undefined) return hit;
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).map(Number);
  }

  /** The special-token choice of lm-eval's `tok_encode` for `text` (see {@link encode}). */
  private specialTokensFor(text: string): boolean {
    if (this.bosToken && text.startsWith(this.bosToken)) return false;
    return this.addBosToken ?? true;
  }

  /**
   * lm-eval's `tok_encode`: special tokens per `add_bos_token` (tokenizer default when unset), but
   * never for a string that already starts with the BOS text (no double BOS).
   */
  encode(text: string): number[] {
    return this.encodeRaw(text, this.specialTokensFor(text));
  }

  /**
   * Encodes `texts` ahead (each distinct text once) so that {@link encode} (`'encode'`) or
   * {@link encodeRaw} with the given choice reads the ids. Stops with the signal's reason when it
   * is aborted: between native calls, or between texts on transformers.js, which yields to the
   * event loop after each text so a Ctrl-C handler runs.
   */
  async encodeAhead(texts: readonly string[], special: 'encode' | boolean, signal?: AbortSignal): Promise<void> {
    const todo: [string[], string[]] = [[], []];
    const seen = [new Set<string>(), new Set<string>()];
    for (const t of texts) {
      const k = (special === 'encode' ? this.specialTokensFor(t) : special) ? 1 : 0;
      if (t === '' || this.ahead[k].has(t) || seen[k].has(t)) continue;
      seen[k].add(t);
      todo[k].push(t);
    }
    for (const k of [0, 1]) {
      const list = todo[k];
      if (list.length === 0) continue;
      if (this.native !== null) {
        const ids = await this.native.encodeBatch(list, k === 1, signal);
        list.forEach((t, i) => this.ahead[k].set(t, ids[i]));
        continue;
      }
      for (const t of list) {
        signal?.throwIfAborted();
        this.ahead[k].set(t, this.tokenizer.encode(t, { add_special_tokens: k === 1 }).map(Number));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    signal?.throwIfAborted();
  }

  /** Drops the ids encoded ahead (after the requests that needed them). */
  forget(): void {
    for (const m of this.ahead) m.clear();
  }

  /** Decodes generated ids with special tokens skipped. */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode(ids as number[], { skip_special_tokens: true });
  }

  /**
   * lm-eval's `_encode_pair` for causal models. An empty context becomes `[prefixTokenId]` with
   * the continuation encoded alone without special tokens (latest: if that encoding already starts
   * with the prefix token, it is used as the context). Otherwise trailing whitespace of the context
   * moves to the continuation and the continuation ids are `encode(ctx + cont)` minus the length
   * of `encode(ctx)`, so tokens merged across the boundary count as continuation.
   */
  encodePair(context: string, continuation: string, prefixTokenId: number): TokenPair {
    if (context === '') {
      const cont = this.encodeRaw(continuation, false);
      if (cont.length > 0 && cont[0] === prefixTokenId) return { context: cont.slice(0, 1), continuation: cont.slice(1) };
      return { context: [prefixTokenId], continuation: cont };
    }
    [context, continuation] = splitTrailingWhitespace(context, continuation);
    const whole = this.encode(context + continuation);
    const ctx = this.encode(context);
    return { context: ctx, continuation: whole.slice(ctx.length) };
  }

  /** Encodes ahead what {@link encodePair} will ask for on these pairs. */
  encodePairsAhead(pairs: ReadonlyArray<{ context: string; continuation: string }>, signal?: AbortSignal): Promise<void> {
    const raw: string[] = [];
    const full: string[] = [];
    for (const p of pairs) {
      if (p.context === '') raw.push(p.continuation);
      else {
        const [c, k] = splitTrailingWhitespace(p.context, p.continuation);
        full.push(c + k, c);
      }
    }
    return this.encodeAhead(raw, false, signal).then(() => this.encodeAhead(full, 'encode', signal));
  }
}
