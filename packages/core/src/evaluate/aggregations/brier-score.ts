import { pyRepr } from '../../python/values.ts';
import { asFloat, npMean, npSum, num } from '../../python/numeric.ts';
import { unzipPairs } from './pairs.ts';
import type { AggregationDef } from './types.ts';

/**
 * `brier_score`: items are `(gold, probs)`; `np.mean(np.sum((probs - onehot(gold)) ** 2, axis=1))`
 * with NumPy's pairwise sums.
 */
export function brierScore(items: readonly unknown[]): number {
  const where = 'brier_score aggregation';
  const [golds, probs] = unzipPairs(items, where);
  const rows = probs.map((r) => {
    if (!Array.isArray(r)) throw new TypeError(`${where}: expected a list of probabilities, got ${pyRepr(r)}`);
    return r.map((v) => num(v, where));
  });
  const k = rows.length ? rows[0].length : 0;
  if (rows.some((r) => r.length !== k)) throw new RangeError(`${where}: probability rows have different lengths`);
  const perDoc = new Float64Array(rows.length);
  const sq = new Float64Array(k);
  rows.forEach((r, i) => {
    let gi = num(golds[i], where);
    if (!Number.isInteger(gi)) throw new TypeError(`${where}: gold must be an int index, got ${pyRepr(golds[i])}`);
    if (gi < 0) gi += k; // numpy negative indexing of np.eye(k)
    if (gi < 0 || gi >= k) throw new RangeError(`${where}: gold index ${pyRepr(golds[i])} is out of bounds for ${k} classes`);
    for (let j = 0; j < k; j++) {
      const d = r[j] - (j === gi ? 1 : 0);
      sq[j] = d * d;
    }
    perDoc[i] = 0 + npSum(sq);
  });
  return npMean(perDoc);
}

export const brierScoreAgg: AggregationDef = {
  name: 'brier_score',
  stderr: 'none',
  aggregate: (items) => asFloat(brierScore(items)),
};
