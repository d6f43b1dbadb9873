/**
 * The two NumPy reductions MERA's helpers rely on, with NumPy's float semantics:
 * - `argmax`: index of the first maximum; a NaN wins (NumPy propagates NaN as the maximum);
 * - `mean`: `np.add.reduce` (first element, then pairwise summation of the rest, blocks of 8
 *   accumulators up to 128 values) divided by the count. For fewer than 9 values this equals a
 *   left-to-right sum.
 */

export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) return i;
    if (xs[i] > xs[best]) best = i;
  }
  return best;
}

/** NumPy's `pairwise_sum` over `xs[start, start + n)`. */
function pairwiseSum(xs: readonly number[], start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += xs[start + i];
    return res;
  }
  if (n <= 128) {
    const r = xs.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += xs[start + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += xs[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(xs, start, n2) + pairwiseSum(xs, start + n2, n - n2);
}

/** `np.sum` of a 1-D float64 array. */
export function npSum(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  return xs[0] + pairwiseSum(xs, 1, xs.length - 1);
}

/** `np.mean` of a 1-D float64 array (NaN for an empty one, as NumPy with a warning). */
export function npMean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return npSum(xs) / xs.length;
}
