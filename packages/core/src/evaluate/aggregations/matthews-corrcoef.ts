import { asFloat } from '../../python/numeric.ts';
import { labelKeys, sortedUnique } from './labels.ts';
import { unzipPairs } from './pairs.ts';
import type { AggregationDef } from './types.ts';

/** Label ids (indices into the sorted union of labels) for golds and preds. */
function encode(golds: readonly unknown[], preds: readonly unknown[]): { g: Int32Array; p: Int32Array; k: number } {
  const where = 'matthews_corrcoef aggregation';
  const all = labelKeys([...golds, ...preds], where);
  const gk = all.slice(0, golds.length);
  const pk = all.slice(golds.length);
  const labels = sortedUnique([...gk, ...pk]);
  const id = new Map(labels.map((l, i) => [l, i]));
  return { g: Int32Array.from(gk, (l) => id.get(l)!), p: Int32Array.from(pk, (l) => id.get(l)!), k: labels.length };
}

/**
 * scikit-learn multiclass `matthews_corrcoef` from the confusion matrix C (rows = gold):
 * `t` = row sums, `p` = column sums, `c` = trace, `s` = Σ;
 * `(c·s − t·p) / sqrt((s² − t·t)(s² − p·p))`, 0.0 when the denominator is 0.
 */
function mccFrom(g: Int32Array, p: Int32Array, k: number, at: (i: number) => number, n: number, t: Float64Array, q: Float64Array): number {
  t.fill(0);
  q.fill(0);
  let correct = 0;
  for (let j = 0; j < n; j++) {
    const i = at(j);
    t[g[i]]++;
    q[p[i]]++;
    if (g[i] === p[i]) correct++;
  }
  const s = n;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let l = 0; l < k; l++) {
    tp += t[l] * q[l];
    pp += q[l] * q[l];
    tt += t[l] * t[l];
  }
  const covYtYp = correct * s - tp;
  const covYpYp = s * s - pp;
  const covYtYt = s * s - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

export function matthewsCorrcoef(golds: readonly unknown[], preds: readonly unknown[]): number {
  const { g, p, k } = encode(golds, preds);
  return mccFrom(g, p, k, (i) => i, g.length, new Float64Array(k), new Float64Array(k));
}

/** `matthews_corrcoef`: items are `(gold, pred)` pairs. */
export const matthewsCorrcoefAgg: AggregationDef = {
  name: 'matthews_corrcoef',
  stderr: 'bootstrap',
  aggregate: (items) => {
    const [golds, preds] = unzipPairs(items, 'matthews_corrcoef aggregation');
    return asFloat(matthewsCorrcoef(golds, preds));
  },
  resampler: (items) => {
    const [golds, preds] = unzipPairs(items, 'matthews_corrcoef aggregation');
    const { g, p, k } = encode(golds, preds);
    const t = new Float64Array(k);
    const q = new Float64Array(k);
    return (idx) => mccFrom(g, p, k, (j) => idx[j], idx.length, t, q);
  },
};
