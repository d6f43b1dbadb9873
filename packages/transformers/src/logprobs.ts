/** Numerically stable log-softmax pieces over one row of logits (float64 accumulation). */

/** Row view of a flat `[rows, vocab]` logits buffer. */
export type FloatRow = Float32Array | Float64Array;

/** `log(sum(exp(row)))` computed as `max + log(sum(exp(row - max)))`. */
export function logSumExp(row: FloatRow): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return max + Math.log(sum);
}

/** Index of the largest value; the first one on ties (like torch.argmax). */
export function argmax(row: FloatRow): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Log-probability of `token` under the softmax of `row`, and whether it is the argmax. */
export function tokenLogprob(row: FloatRow, token: number): { logprob: number; greedy: boolean } {
  return { logprob: row[token] - logSumExp(row), greedy: argmax(row) === token };
}
