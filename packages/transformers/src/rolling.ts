/**
 * lm-eval's rolling token windows (spec api-backends.md §2): `get_rolling_token_windows` with
 * `context_len = 1` followed by `make_disjoint_window`, as used by `loglikelihood_rolling`.
 */

export interface TokenWindow {
  /** Context tokens fed before the predicted ones (never empty). */
  context: number[];
  /** Tokens whose log-probs are summed. */
  continuation: number[];
}

/**
 * Splits `tokens` into windows of at most `maxSeqLen` model inputs so that every token is
 * predicted exactly once; the first window is conditioned on `prefixToken` alone and later
 * windows get as much preceding context as fits. Returns the disjoint form
 * `(input minus its last len(pred)-1 tokens, pred)`.
 */
export function rollingWindows(tokens: readonly number[], prefixToken: number, maxSeqLen: number): TokenWindow[] {
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 1) throw new Error(`rollingWindows: max_seq_len must be >= 1, got ${maxSeqLen}`);
  const n = tokens.length;
  if (n === 0) return [];
  const windows: Array<[number[], number[]]> = [];
  // First window: [prefix] + t[0:first-1] predicts t[0:first].
  const first = Math.min(maxSeqLen, n);
  windows.push([[prefixToken, ...tokens.slice(0, first - 1)], tokens.slice(0, first)]);
  let predicted = first;
  // pred_len = max_seq_len - context_len + 1 = max_seq_len (context_len = 1).
  while (predicted < n) {
    const m = Math.min(n - predicted, maxSeqLen);
    const end = predicted + m;
    windows.push([tokens.slice(Math.max(0, end - maxSeqLen - 1), end - 1), tokens.slice(end - m, end)]);
    predicted += m;
  }
  // make_disjoint_window: drop the overlap between the input and the predicted tokens.
  return windows.map(([input, pred]) => ({ context: input.slice(0, input.length - (pred.length - 1)), continuation: pred }));
}
