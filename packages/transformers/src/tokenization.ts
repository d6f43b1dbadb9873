/**
 * lm-eval's HF tokenizer policy (lm_eval/models/huggingface.py `HFLM.tok_encode`) on a transformers.js tokenizer:
 * special tokens per `add_bos_token`, no second BOS on strings that already start with the BOS
 * text (chat-templated prompts), and `_encode_pair`.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';

/** Characters Python's `str.rstrip()` removes (`str.isspace()`), at the end of a string. */
const PY_TRAILING_WHITESPACE = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

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

  constructor(
    readonly tokenizer: PreTrainedTokenizer,
    /** undefined = the tokenizer's own default (what `add_special_tokens=True` adds). */
    readonly addBosToken: boolean | undefined,
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

  /** Raw encode with an explicit special-token choice. */
  encodeRaw(text: string, addSpecialTokens: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).map(Number);
  }

  /**
   * lm-eval's `tok_encode`: special tokens per `add_bos_token` (tokenizer default when unset), but
   * never for a string that already starts with the BOS text (no double BOS).
   */
  encode(text: string): number[] {
    if (this.bosToken && text.startsWith(this.bosToken)) return this.encodeRaw(text, false);
    return this.encodeRaw(text, this.addBosToken ?? true);
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
    // Python's str.rstrip() whitespace.
    const stripped = context.replace(PY_TRAILING_WHITESPACE, '');
    const nSpaces = context.length - stripped.length;
    if (nSpaces > 0) {
      continuation = context.slice(-nSpaces) + continuation;
      context = stripped;
    }
    const whole = this.encode(context + continuation);
    const ctx = this.encode(context);
    return { context: ctx, continuation: whole.slice(ctx.length) };
  }
}
