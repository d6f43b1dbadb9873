/**
 * lm-eval's token-level request machinery for causal models (lm_eval/api/model.py `TemplateLM._encode_pair`,
 * lm_eval/utils.py `get_rolling_token_windows`): pair encoding,
 * rolling windows with their disjoint form, the longest-first order, and the API backends'
 * left truncation with `ctxlen` (lm_eval/models/api_models.py `TemplateAPI._loglikelihood_tokens`).
 */
import { rollingTokenWindows, splitTrailingWhitespace } from '@lm-eval/core/models';
import type { ApiTokenizer } from './tokenizers.ts';

export interface TokenPair {
  context: number[];
  continuation: number[];
  /** `context + continuation` (memoised; may be shared with the tokenizer's cache: never mutate it). */
  whole?: number[];
}


/**
 * `_encode_pair` + the empty-context rule. `encode` uses the backend's special-token policy
 * (`add_special_tokens = add_bos_token`).
 */
export async function encodePair(tok: ApiTokenizer, context: string, continuation: string, addSpecial: boolean, prefixTokenId: number): Promise<TokenPair> {
  if (context === '') {
    const cont = await tok.encode(continuation, addSpecial);
    // [latest] a continuation that already starts with the prefix token keeps it as the context.
    if (cont.length > 0 && cont[0] === prefixTokenId) return { context: cont.slice(0, 1), continuation: cont.slice(1) };
    return { context: [prefixTokenId], continuation: cont };
  }
  // Trailing whitespace of the context moves to the front of the continuation.
  [context, continuation] = splitTrailingWhitespace(context, continuation);
  const [whole, ctx] = await Promise.all([tok.encode(context + continuation, addSpecial), tok.encode(context, addSpecial)]);
  return { context: ctx, continuation: whole.slice(ctx.length) };
}

/** encodePair for synchronous tokenizers (no promise per request on the hot path). */
export function encodePairSync(encode: (text: string, addSpecial: boolean) => number[], context: string, continuation: string, addSpecial: boolean, prefixTokenId: number): TokenPair {
  if (context === '') {
    const cont = encode(continuation, addSpecial);
    if (cont.length > 0 && cont[0] === prefixTokenId) return { context: cont.slice(0, 1), continuation: cont.slice(1) };
    return { context: [prefixTokenId], continuation: cont };
  }
  [context, continuation] = splitTrailingWhitespace(context, continuation);
  const whole = encode(context + continuation, addSpecial);
  const ctx = encode(context, addSpecial);
  // `context + continuation` equals the whole text's encoding when that starts with the context's
  // (the usual case): share that array (read-only) instead of concatenating a copy later.
  let same = whole.length >= ctx.length;
  for (let k = 0; same && k < ctx.length; k++) if (whole[k] !== ctx[k]) same = false;
  return { context: ctx, continuation: whole.slice(ctx.length), whole: same ? whole : undefined };
}

/**
 * `_encode_pair` of every request, each distinct text encoded once in one batch (the choices of a
 * question share their context's encoding). Where the tokenizer says that `context + continuation`
 * encodes as the context's ids followed by the continuation's as a later piece ({@link
 * ApiTokenizer.splitsAt}), only the context and the (few, short, distinct) continuations are
 * encoded: the same ids without encoding each whole text again. The encodings live only as long
 * as the pairs: no cache keeps them after the call, so memory follows the requests in flight, not
 * the run.
 */
export async function encodePairs(tok: ApiTokenizer, contexts: string[], requests: ReadonlyArray<{ continuation: string }>, addSpecial: boolean, prefixTokenId: number): Promise<TokenPair[]> {
  const slot = new Map<string, number>();
  const texts: string[] = [];
  const want = (t: string) => {
    if (!slot.has(t)) {
      slot.set(t, texts.length);
      texts.push(t);
    }
  };
  const tailSlot = new Map<string, number>();
  const tails: string[] = [];
  // per request: the slot of its continuation encoded as a later piece, or -1 (encoded whole)
  const tailOf = new Int32Array(requests.length).fill(-1);
  const canSplit = tok.splitsAt !== undefined && tok.encodeTails !== undefined;
  for (let i = 0; i < requests.length; i++) {
    const cont = requests[i].continuation;
    if (contexts[i] === '') want(cont);
    else {
      const [c, k] = splitTrailingWhitespace(contexts[i], cont);
      want(c);
      if (canSplit && tok.splitsAt!(c, k)) {
        let t = tailSlot.get(k);
        if (t === undefined) {
          tailSlot.set(k, (t = tails.length));
          tails.push(k);
        }
        tailOf[i] = t;
      } else want(c + k);
    }
  }
  const [ids, tailIds] = await Promise.all([tok.encodeMany(texts, addSpecial), tails.length > 0 ? tok.encodeTails!(tails) : []]);
  const encode = (t: string) => ids[slot.get(t)!];
  const pairs: TokenPair[] = new Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const t = tailOf[i];
    if (t >= 0) {
      const context = encode(splitTrailingWhitespace(contexts[i], requests[i].continuation)[0]);
      const continuation = tailIds[t];
      pairs[i] = { context, continuation, whole: context.concat(continuation) };
    } else pairs[i] = encodePairSync(encode, contexts[i], requests[i].continuation, addSpecial, prefixTokenId);
  }
  return pairs;
}

/**
 * `get_rolling_token_windows(max_seq_len=L, context_len=1)` followed by `make_disjoint_window`:
 * every token predicted exactly once, each window with the fullest left context.
 */
export function rollingWindows(tokens: number[], prefixToken: number, maxSeqLen: number): TokenPair[] {
  return rollingTokenWindows(tokens, prefixToken, maxSeqLen);
}

/**
 * Collator order of loglikelihood requests: `(−len(ctx+cont), tokens)`, ties by index. Bucketed by
 * length first (lengths are few), so the comparator sort only orders equal-length sequences.
 */
export function longestFirst(pairs: TokenPair[], wholes?: number[][]): number[] {
  const whole = wholes ?? pairs.map((p) => p.context.concat(p.continuation));
  const n = whole.length;
  let maxLen = 0;
  for (let i = 0; i < n; i++) if (whole[i].length > maxLen) maxLen = whole[i].length;
  // Counting sort by descending length (stable: indexes ascend within a length).
  const start = new Array<number>(maxLen + 2).fill(0);
  for (let i = 0; i < n; i++) start[maxLen - whole[i].length + 1] += 1;
  for (let k = 1; k < start.length; k++) start[k] += start[k - 1];
  const order = new Array<number>(n);
  const fill = start.slice();
  for (let i = 0; i < n; i++) order[fill[maxLen - whole[i].length]++] = i;
  const byTokens = (a: number, b: number): number => {
    const A = whole[a];
    const B = whole[b];
    for (let k = 0; k < A.length; k++) if (A[k] !== B[k]) return A[k] - B[k];
    return a - b;
  };
  for (let k = 0; k + 1 < start.length; k++) {
    const lo = start[k];
    const hi = start[k + 1];
    if (hi - lo > 1) {
      const run = order.slice(lo, hi).sort(byTokens);
      for (let j = 0; j < run.length; j++) order[lo + j] = run[j];
    }
  }
  return order;
}

/** `inp = (ctx + cont)[-maxLength:]`, `ctxlen = len(ctx) − max(0, len(ctx) + len(cont) − maxLength)`. */
export function truncateForScoring(pair: TokenPair, maxLength: number, whole?: number[]): { input: number[]; ctxlen: number; truncated: boolean } {
  const all = whole ?? pair.context.concat(pair.continuation);
  const overflow = Math.max(0, all.length - maxLength);
  return { input: overflow ? all.slice(overflow) : all, ctxlen: pair.context.length - overflow, truncated: overflow > 0 };
}
