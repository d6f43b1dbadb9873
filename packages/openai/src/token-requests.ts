/**
 * lm-eval's token-level request machinery for causal models (api-backends.md §2): pair encoding,
 * rolling windows with their disjoint form, the longest-first order, and the API backends'
 * left truncation with `ctxlen` (§3.2).
 */
import type { ApiTokenizer } from './tokenizers.ts';

export interface TokenPair {
  context: number[];
  continuation: number[];
  /** `context + continuation` (memoised; may be shared with the tokenizer's cache: never mutate it). */
  whole?: number[];
}

/**
 * Where the trailing whitespace of `text` starts (`text.length` when there is none): the index of
 * `/\s+$/` (JS whitespace), found without the regex for the common case of a non-space last char.
 */
export function trailingSpaceStart(text: string): number {
  const last = text.charCodeAt(text.length - 1);
  // Printable ASCII (0x21–0x7e) is never \s; neither is DEL/C1 (0x7f–0x9f).
  if (last > 0x20 && last < 0xa0) return text.length;
  const m = /\s+$/.exec(text);
  return m ? m.index : text.length;
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
  const cut = trailingSpaceStart(context);
  if (cut < context.length) {
    continuation = context.slice(cut) + continuation;
    context = context.slice(0, cut);
  }
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
  const cut = trailingSpaceStart(context);
  if (cut < context.length) {
    continuation = context.slice(cut) + continuation;
    context = context.slice(0, cut);
  }
  const whole = encode(context + continuation, addSpecial);
  const ctx = encode(context, addSpecial);
  // `context + continuation` equals the whole text's encoding when that starts with the context's
  // (the usual case): share that array (read-only) instead of concatenating a copy later.
  let same = whole.length >= ctx.length;
  for (let k = 0; same && k < ctx.length; k++) if (whole[k] !== ctx[k]) same = false;
  return { context: ctx, continuation: whole.slice(ctx.length), whole: same ? whole : undefined };
}

/**
 * `get_rolling_token_windows(max_seq_len=L, context_len=1)` followed by `make_disjoint_window`:
 * every token predicted exactly once, each window with the fullest left context.
 */
export function rollingWindows(tokens: number[], prefixToken: number, maxSeqLen: number): TokenPair[] {
  const L = maxSeqLen;
  const N = tokens.length;
  if (N === 0) return [];
  const windows: Array<[number[], number[]]> = [];
  const first = Math.min(L, N);
  windows.push([[prefixToken, ...tokens.slice(0, first - 1)], tokens.slice(0, first)]);
  let predicted = first;
  while (predicted < N) {
    const m = Math.min(N - predicted, L);
    const end = predicted + m;
    windows.push([tokens.slice(Math.max(0, end - L - 1), end - 1), tokens.slice(end - m, end)]);
    predicted += m;
  }
  // make_disjoint_window: drop the input tokens that are also predicted.
  return windows.map(([input, pred]) => ({ context: input.slice(0, input.length - (pred.length - 1)), continuation: pred }));
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
