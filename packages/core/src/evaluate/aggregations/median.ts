import type { Profile } from '../../compat.ts';
import { num } from '../../python/numeric.ts';
import type { AggregationDef } from './types.ts';

/** Python `sorted()` order for numbers (stable). */
function sortedNumbers(items: readonly unknown[]): unknown[] {
  return items
    .map((v, i) => ({ v, k: num(v, 'median aggregation'), i }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((e) => e.v);
}

function medianOf(items: readonly unknown[], profile: Profile): unknown {
  if (items.length === 0) throw new RangeError('median of an empty list (Python: IndexError)');
  // [v0.4.4] `arr[len(arr) // 2]` WITHOUT sorting (a bug kept for parity); [latest] sorted.
  const arr = profile === '0.4.4' ? items : sortedNumbers(items);
  return arr[Math.floor(arr.length / 2)];
}

/** `median`: the middle element (returned as is, so an int stays an int). */
export const median: AggregationDef = {
  name: 'median',
  stderr: 'bootstrap',
  aggregate: medianOf,
  resampler: (items, profile) => {
    const xs = items.map((v) => num(v, 'median aggregation'));
    const mid = Math.floor(xs.length / 2);
    if (profile === '0.4.4') return (idx) => xs[idx[mid]];
    const buf = new Float64Array(xs.length);
    return (idx) => {
      for (let i = 0; i < buf.length; i++) buf[i] = xs[idx[i]];
      return select(buf, mid);
    };
  },
};

/** The k-th smallest value (0-based) of `a`, reordering `a` in place (Hoare quickselect). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
