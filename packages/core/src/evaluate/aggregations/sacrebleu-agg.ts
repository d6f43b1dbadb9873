import { sumOfLists } from './sacrebleu/bleu.ts';
import { sacreformat } from './sacrebleu/references.ts';
import { asFloat } from '../../python/numeric.ts';
import type { AggregationDef } from './types.ts';

export type SegmentStats = (hyps: readonly unknown[], refStreams: readonly unknown[][]) => number[][];
export type FromStats = (stats: readonly number[]) => number;

/**
 * True when every item has the same reference layout (all single strings, or all lists of the
 * same length), so that a resample's `_sacreformat` equals the per-item slices of the whole.
 */
function uniformRefs(items: readonly unknown[]): boolean {
  const shape = (it: unknown): string => {
    const r = Array.isArray(it) ? it[0] : undefined;
    return typeof r === 'string' ? 's' : Array.isArray(r) ? `l${r.length}` : '?';
  };
  const s0 = shape(items[0]);
  return s0 !== '?' && items.every((it) => shape(it) === s0);
}

/** An aggregation over `[ref, pred]` items computed from sacrebleu segment statistics. */
export function sacrebleuAggregation(name: string, segmentStats: SegmentStats, fromStats: FromStats): AggregationDef {
  return {
    name,
    stderr: 'bootstrap',
    aggregate: (items) => {
      const { hyps, refStreams } = sacreformat(items);
      return asFloat(fromStats(sumOfLists(segmentStats(hyps, refStreams))));
    },
    resampler: (items) => {
      if (!uniformRefs(items)) {
        return (idx) => {
          const { hyps, refStreams } = sacreformat(Array.from(idx, (i) => items[i]));
          return fromStats(sumOfLists(segmentStats(hyps, refStreams)));
        };
      }
      const { hyps, refStreams } = sacreformat(items);
      const stats = segmentStats(hyps, refStreams);
      return (idx) => fromStats(sumOfLists(stats, idx));
    },
  };
}

