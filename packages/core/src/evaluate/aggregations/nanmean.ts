import { asFloat, npSum, num } from '../../python/numeric.ts';
import type { AggregationDef } from './types.ts';

function nanmeanOf(xs: ArrayLike<number>): number {
  // `np.nan if len(arr) == 0 or all(np.isnan(arr)) else np.nanmean(arr)`:
  // NaNs are replaced by 0 for NumPy's pairwise sum, divided by the number of non-NaN values.
  const clean = new Float64Array(xs.length);
  let count = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) clean[i] = 0;
    else {
      clean[i] = xs[i];
      count++;
    }
  }
  if (count === 0) return NaN;
  return (0 + npSum(clean)) / count;
}

/** [latest] `nanmean`: mean ignoring NaN; NaN if empty or all NaN. */
export const nanmean: AggregationDef = {
  name: 'nanmean',
  stderr: 'bootstrap',
  profiles: ['latest'],
  aggregate: (items) => asFloat(nanmeanOf(items.map((v) => num(v, 'nanmean aggregation')))),
  resampler: (items) => {
    const xs = items.map((v) => num(v, 'nanmean aggregation'));
    const clean = Float64Array.from(xs, (x) => (Number.isNaN(x) ? 0 : x));
    const buf = new Float64Array(xs.length);
    return (idx) => {
      let count = 0;
      for (let i = 0; i < buf.length; i++) {
        const j = idx[i];
        buf[i] = clean[j];
        if (!Number.isNaN(xs[j])) count++;
      }
      return count === 0 ? NaN : (0 + npSum(buf)) / count;
    };
  },
};
