/** `majority_vote`: `[most common response]` per instance; ties go to the value seen first (Counter). */
import { pyEquals } from '../../python/values.ts';
import { pyIter, type FilterFactory } from './filter.ts';

export function mostCommon(values: unknown[]): unknown {
  if (values.length === 0) throw new RangeError("filter 'majority_vote': an instance has no responses");
  const keys: unknown[] = [];
  const counts: number[] = [];
  const strIndex = new Map<string, number>();
  for (const v of values) {
    let i = typeof v === 'string' ? (strIndex.get(v) ?? -1) : keys.findIndex((k) => typeof k !== 'string' && pyEquals(k, v));
    if (i < 0) {
      i = keys.length;
      keys.push(v);
      counts.push(0);
      if (typeof v === 'string') strIndex.set(v, i);
    }
    counts[i]++;
  }
  let best = 0;
  for (let i = 1; i < keys.length; i++) if (counts[i] > counts[best]) best = i;
  return keys[best];
}

export const majorityVoteFilter: FilterFactory = () => ({
  apply: (resps) => resps.map((r) => [mostCommon(pyIter(r, 'majority_vote'))]),
});
