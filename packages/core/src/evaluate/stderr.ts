/**
 * Standard errors of aggregated metrics (lm_eval/api/metrics.py `stderr_for_metric`, `bootstrap_stderr`): the closed form for
 * `mean`, a bit-exact port of lm-eval's bootstrap (CPython `random.Random(i)` per chunk of 1000
 * replicates) for the bootstrappable aggregations, "N/A" otherwise.
 */
import { PyRandom } from '../python/random.ts';
import type { PyFloat } from '../python/values.ts';
import { getAggregationDef, resolvedAggregationOf, type ResolvedAggregation } from './aggregations/registry.ts';
import { asFloat, meanStderr, num, sampleStddev } from '../python/numeric.ts';

/** A stderr as written to results: a float, or the string "N/A". */
export type StderrValue = number | PyFloat | 'N/A';

/** The CLI's `--bootstrap_iters` default. */
export const DEFAULT_BOOTSTRAP_ITERS = 100000;

/** Metrics whose bootstrap is capped at 100 replicates (they are slow). */
const CAPPED_METRICS = new Set(['bleu', 'chrf', 'ter']);

type Resampler = (indices: ArrayLike<number>) => number;

/**
 * Fills `out` with `choices(range(n), k=out.length)` of CPython's `Random(seed)`:
 * `floor(random() * n)` per draw. Same numbers as {@link PyRandom}; this inlines the MT19937
 * generator (state taken from PyRandom) because the bootstrap draws ~10^8 numbers.
 */
class ChoiceStream {
  private readonly mt: Uint32Array;
  private index: number;

  constructor(seed: number) {
    const [, internal] = new PyRandom(seed).getstate();
    this.mt = Uint32Array.from(internal.slice(0, 624));
    this.index = internal[624];
  }

  private twist(): void {
    const mt = this.mt;
    let y: number;
    let kk = 0;
    for (; kk < 227; kk++) {
      y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
      mt[kk] = mt[kk + 397] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; kk < 623; kk++) {
      y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
      mt[kk] = mt[kk - 227] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    y = (mt[623] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[623] = mt[396] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.index = 0;
  }

  fill(out: Int32Array, n: number): void {
    const mt = this.mt;
    for (let k = 0; k < out.length; k++) {
      if (this.index >= 624) this.twist();
      let a = mt[this.index++];
      a ^= a >>> 11;
      a ^= (a << 7) & 0x9d2c5680;
      a ^= (a << 15) & 0xefc60000;
      a ^= a >>> 18;
      if (this.index >= 624) this.twist();
      let b = mt[this.index++];
      b ^= b >>> 11;
      b ^= (b << 7) & 0x9d2c5680;
      b ^= (b << 15) & 0xefc60000;
      b ^= b >>> 18;
      // random() = ((a >> 5) * 2^26 + (b >> 6)) / 2^53
      out[k] = Math.floor((((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992) * n);
    }
  }
}

/**
 * lm-eval `bootstrap_stderr(f, xs, iters)`: `iters // chunk` chunks (chunk = min(1000, iters)),
 * chunk i drawing `chunk` resamples with `Random(i).choices(xs, k=len(xs))`; the result is the
 * sample standard deviation of all replicate values, in chunk order. `fast`, when given, must
 * compute `aggregate` of the resample from its indices (an optimisation, same numbers).
 */
export function bootstrapStderr(
  aggregate: (items: unknown[]) => unknown,
  items: readonly unknown[],
  iters: number,
  fast?: Resampler,
): number {
  const n = items.length;
  const chunk = Math.min(1000, iters);
  const chunks = Math.floor(iters / chunk);
  const values = new Array<number>(chunks * chunk);
  const idx = new Int32Array(n);
  let v = 0;
  for (let i = 0; i < chunks; i++) {
    const rnd = new ChoiceStream(i);
    for (let r = 0; r < chunk; r++) {
      // CPython `choices(population, k=n)` without weights: population[floor(random() * n)]
      rnd.fill(idx, n);
      values[v++] = fast ? fast(idx) : num(aggregate(Array.from(idx, (j) => items[j])), 'bootstrap replicate');
    }
  }
  if (values.length < 2) throw new RangeError('bootstrap needs at least 2 replicates (Python: ZeroDivisionError)');
  return sampleStddev(values);
}

/**
 * The stderr of metric `metricName` whose aggregation is `aggName` (a registered name; null for a
 * custom function) computed by `aggFn`, over the per-doc `items`.
 * "N/A" when `bootstrapIters` is not a positive integer, when there is at most one item, and
 * for aggregations without a stderr (weighted_perplexity, bits_per_byte, brier_score, bypass,
 * custom functions, which lm-eval never bootstraps). bleu/chrf/ter use at most 100 replicates.
 */
export function stderrFor(
  aggName: string | null,
  aggFn: (items: unknown[]) => unknown,
  metricName: string,
  items: readonly unknown[],
  bootstrapIters: number | null | undefined = DEFAULT_BOOTSTRAP_ITERS,
): StderrValue {
  if (typeof bootstrapIters !== 'number' || !Number.isInteger(bootstrapIters) || bootstrapIters <= 0) return 'N/A';
  if (items.length <= 1 || aggName === null) return 'N/A';
  const resolved = resolvedAggregationOf(aggFn);
  if (resolved && resolved.builtin === null) return 'N/A';
  const def = resolved?.builtin ?? getAggregationDef(aggName, 'latest');
  const kind = def?.stderr ?? 'none';
  if (kind === 'mean') return asFloat(meanStderr(items.map((x) => num(x, `${metricName} stderr`))));
  if (kind === 'bootstrap') {
    const iters = CAPPED_METRICS.has(metricName) ? Math.min(bootstrapIters, 100) : bootstrapIters;
    // the fast path is used only when we know the profile the aggregation was bound to
    const fast = resolved?.builtin?.resampler?.(items, resolved.profile);
    return asFloat(bootstrapStderr(aggFn, items, iters, fast));
  }
  return 'N/A';
}

/** {@link stderrFor} for a {@link ResolvedAggregation}. */
export function stderrOf(
  agg: ResolvedAggregation,
  metricName: string,
  items: readonly unknown[],
  bootstrapIters: number | null | undefined = DEFAULT_BOOTSTRAP_ITERS,
): StderrValue {
  return stderrFor(agg.builtin ? agg.name : null, agg.aggregate as (items: unknown[]) => unknown, metricName, items, bootstrapIters);
}
