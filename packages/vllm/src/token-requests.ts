/**
 * Token-level request building of lm-eval's vLLM backend (lm_eval/models/vllm_causallms.py `VLLM`), on token
 * ids produced by the worker's tokenizer: pair encoding, rolling windows, the loglikelihood
 * input/ctxlen truncation (latest: `max_length − 1`), and the sort orders.
 */
import { rollingTokenWindows, splitTrailingWhitespace } from '@lm-eval/core/models';


/** Moves the context's trailing whitespace to the front of the continuation (lm-eval `_encode_pair`). */
export const moveTrailingWhitespace = splitTrailingWhitespace;

/** What to encode for one loglikelihood pair (the worker then encodes these texts). */
export type PairPlan =
  | { kind: 'empty-context'; continuation: string }
  | { kind: 'causal'; whole: string; context: string };

export function planPair(context: string, continuation: string): PairPlan {
  if (context === '') return { kind: 'empty-context', continuation };
  const [ctx, cont] = moveTrailingWhitespace(context, continuation);
  return { kind: 'causal', whole: ctx + cont, context: ctx };
}

/** Empty context: `[prefix]` + continuation, or (latest) the continuation's own first token
 * when it already equals the prefix token. */
export function emptyContextPair(contEnc: number[], prefixTokenId: number): [number[], number[]] {
  if (contEnc.length > 0 && contEnc[0] === prefixTokenId) return [contEnc.slice(0, 1), contEnc.slice(1)];
  return [[prefixTokenId], contEnc];
}

/** Causal pair: `cont = whole[len(ctx_enc):]` (merged boundary tokens go to the continuation). */
export function causalPair(wholeEnc: number[], ctxEnc: number[]): [number[], number[]] {
  return [wholeEnc.slice(0, ctxEnc.length), wholeEnc.slice(ctxEnc.length)];
}

/**
 * lm-eval `get_rolling_token_windows` + `make_disjoint_window`: `[context, prediction]` pairs
 * that predict every token exactly once (example: t = 0..9, L = 4 →
 * ([P],[0,1,2,3]), ([3],[4,5,6,7]), ([5,6,7],[8,9])).
 */
export function rollingWindows(tokens: number[], prefixToken: number, maxSeqLen: number, contextLen = 1): Array<[number[], number[]]> {
  return rollingTokenWindows(tokens, prefixToken, maxSeqLen, contextLen).map((w) => [w.context, w.continuation]);
}

/**
 * The prompt sent for one loglikelihood request and its `ctxlen` (lm-eval latest vLLM:
 * `inp = (ctx+cont)[-(max_length−1):]`, one slot left for the generated token).
 */
export function loglikelihoodInput(ctxEnc: number[], contEnc: number[], maxLength: number): { inp: number[]; ctxlen: number } {
  const limit = maxLength - 1;
  const all = ctxEnc.concat(contEnc);
  const inp = all.length > limit ? all.slice(all.length - limit) : all;
  const ctxlen = ctxEnc.length - Math.max(0, ctxEnc.length + contEnc.length - limit);
  return { inp, ctxlen };
}

/** Python tuple comparison of int lists. */
export function compareTokenLists(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Indices of `items` in a stable sort by `key` (lm-eval's Collator sorts stably). */
export function sortedOrder<T>(items: T[], compare: (a: T, b: T) => number): number[] {
  return items.map((_, i) => i).sort((i, j) => compare(items[i], items[j]) || i - j);
}
