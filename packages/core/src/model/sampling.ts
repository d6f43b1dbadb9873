/**
 * Nucleus (top-p) truncation shared by the sampling code paths (the `hf` backend and the test
 * vLLM-shaped server): transformers' `TopPLogitsWarper` and vLLM keep the smallest head of the
 * distribution whose probability mass reaches `top_p`, and at least one token.
 */

/**
 * How many of `probs` (sorted by probability, descending; they sum to `total`) top-p keeps:
 * the first index where the running mass `probs[j] / total` reaches `topP`, plus one.
 */
export function topPCount(probs: readonly number[], total: number, topP: number): number {
  let cum = 0;
  for (let j = 0; j < probs.length; j++) {
    cum += probs[j] / total;
    if (cum >= topP) return j + 1;
  }
  return probs.length;
}
