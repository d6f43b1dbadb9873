/**
 * lm-eval's token-level request machinery shared by every causal-model backend
 * (lm_eval/api/model.py `TemplateLM._encode_pair`; lm_eval/utils.py `get_rolling_token_windows`,
 * `make_disjoint_window`): moving a context's trailing whitespace into the continuation, and the
 * rolling windows of `loglikelihood_rolling` in their disjoint form.
 */
import { isPyWhitespace } from '../python/str-methods.ts';

/**
 * `_encode_pair`'s first step: the context's trailing whitespace (Python `str.rstrip()`, so
 * Unicode whitespace) moves to the front of the continuation. `("Answer: ", "A")` →
 * `["Answer:", " A"]`.
 */
export function splitTrailingWhitespace(context: string, continuation: string): [string, string] {
  let cut = context.length;
  // Python whitespace is all in the BMP, so scanning UTF-16 units is exact.
  while (cut > 0 && isPyWhitespace(context[cut - 1])) cut--;
  if (cut === context.length) return [context, continuation];
  return [context.slice(0, cut), context.slice(cut) + continuation];
}

export interface TokenWindow {
  /** input tokens that are not predicted (at least one: the prefix token or earlier text) */
  context: number[];
  /** the tokens this window scores */
  continuation: number[];
}

/**
 * `get_rolling_token_windows(tokens, prefix_token, max_seq_len, context_len)` followed by
 * `make_disjoint_window`: every token is predicted exactly once, each window with the fullest
 * left context. Spec example: t = 0..9, L = 4, prefix P →
 * `([P],[0,1,2,3])`, `([3],[4,5,6,7])`, `([5,6,7],[8,9])`.
 */
export function rollingTokenWindows(tokens: readonly number[], prefixToken: number, maxSeqLen: number, contextLen = 1): TokenWindow[] {
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 1) throw new Error(`rolling windows need max_seq_len >= 1 (got ${maxSeqLen})`);
  if (!(contextLen >= 1 && contextLen <= maxSeqLen)) throw new Error(`rolling windows: bad context_len ${contextLen}`);
  const n = tokens.length;
  const out: TokenWindow[] = [];
  if (n === 0) return out;
  const predLen = maxSeqLen - contextLen + 1;
  const disjoint = (input: number[], pred: number[]): TokenWindow => ({
    context: input.slice(0, input.length - (pred.length - 1)),
    continuation: pred,
  });
  const first = Math.min(maxSeqLen, n);
  out.push(disjoint([prefixToken, ...tokens.slice(0, first - 1)], tokens.slice(0, first)));
  let predicted = first;
  while (predicted < n) {
    const m = Math.min(n - predicted, predLen);
    const end = predicted + m;
    out.push(disjoint(tokens.slice(Math.max(0, end - maxSeqLen - 1), end - 1), tokens.slice(end - m, end)));
    predicted += m;
  }
  return out;
}
