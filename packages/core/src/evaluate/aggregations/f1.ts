import { asFloat } from '../../python/numeric.ts';
import { type LabelKey, labelKeys, sortedUnique } from './labels.ts';
import { unzipPairs } from './pairs.ts';
import type { AggregationDef } from './types.ts';

/**
 * scikit-learn `f1_score(golds, preds)` with `average="binary"`, `pos_label=1`, computed as
 * `2·tp / (2·tp + fp + fn)` (scikit-learn ≥ 1.3; not via precision and recall, which can differ
 * in the last bit), 0.0 when the denominator is 0.
 */
export function f1Binary(golds: readonly unknown[], preds: readonly unknown[]): number {
  const where = 'f1 aggregation';
  const all = labelKeys([...golds, ...preds], where);
  const g = all.slice(0, golds.length);
  const p = all.slice(golds.length);
  const present = sortedUnique([...g, ...p]);
  if (present.length > 2) {
    throw new RangeError(
      `${where}: Target is multiclass but average='binary'. Please choose another average setting, one of [None, 'micro', 'macro', 'weighted']. (labels: ${present.join(', ')})`,
    );
  }
  if (present.length >= 2 && !present.includes(1)) {
    throw new RangeError(`${where}: pos_label=1 is not a valid label. It should be one of [${present.join(', ')}]`);
  }
  return f1FromCounts(g, p, (i) => i);
}

function f1FromCounts(g: readonly LabelKey[], p: readonly LabelKey[], at: (i: number) => number, n = g.length): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; k < n; k++) {
    const i = at(k);
    const gp = g[i] === 1;
    const pp = p[i] === 1;
    if (gp && pp) tp++;
    else if (pp) fp++;
    else if (gp) fn++;
  }
  const denom = 2 * tp + fp + fn;
  return denom === 0 ? 0 : (2 * tp) / denom;
}

/** `f1`: items are `(gold, pred)` pairs. */
export const f1: AggregationDef = {
  name: 'f1',
  stderr: 'bootstrap',
  aggregate: (items) => {
    const [golds, preds] = unzipPairs(items, 'f1 aggregation');
    return asFloat(f1Binary(golds, preds));
  },
  resampler: (items) => {
    const [golds, preds] = unzipPairs(items, 'f1 aggregation');
    const g = labelKeys(golds, 'f1 aggregation');
    const p = labelKeys(preds, 'f1 aggregation');
    return (idx) => f1FromCounts(g, p, (k) => idx[k], idx.length);
  },
};
