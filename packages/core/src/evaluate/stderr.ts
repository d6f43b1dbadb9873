/**
 * Standard errors of aggregated metrics (evaluation-and-metrics.md §6): the closed form for
 * `mean`, a bit-exact port of lm-eval's bootstrap (CPython `random.Random(i)` per chunk of 1000
 * replicates) for the bootstrappable aggregations, "N/A" otherwise.
 */
import { PyRandom } from '../python/random.ts';
import type { PyFloat } from '../python/values.ts';
import type { ResolvedAggregation } from './aggregations/registry.ts';
import { asFloat, meanStderr, num, sampleStddev } from './aggregations/numeric.ts';

/** A stderr as written to results: a float, or the string "N/A". */
export type StderrValue = number | PyFloat | 'N/A';

/** The CLI's `--bootstrap_iters` default. */
export const DEFAULT_BOOTSTRAP_ITERS = 100000;

/** Metrics whose bootstrap is capped at 100 replicates (they are slow). */
const CAPPED_METRICS = new Set(['bleu', 'chrf', 'ter']);

/**
 * lm-eval `bootstrap_stderr(f, xs, iters)`: `iters // chunk` chunks (chunk = min(1000, iters)),
 * chunk i drawing `chunk` resamples with `Random(i).choices(xs, k=len(xs))`; the result is the
 * sample standard deviation of all replicate values, in chunk order.
 */
export function bootstrapStderr(agg: ResolvedAggregation, items: readonly unknown[], iters: number): number {
  const n = items.length;
  const chunk = Math.min(1000, iters);
  const chunks = Math.floor(iters / chunk);
  const values = new Array<number>(chunks * chunk);
  const idx = new Int32Array(n);
  const fast = agg.builtin?.resampler?.(items, agg.profile);
  let v = 0;
  for (let i = 0; i < chunks; i++) {
    const rnd = new PyRandom(i);
    for (let r = 0; r < chunk; r++) {
      // CPython `choices(population, k)` without weights: population[floor(random() * n)]
      for (let k = 0; k < n; k++) idx[k] = Math.floor(rnd.random() * n);
      values[v++] = fast ? fast(idx) : num(agg.aggregate(Array.from(idx, (j) => items[j])), `${agg.name} aggregation`);
    }
  }
  if (values.length < 2) throw new RangeError('bootstrap needs at least 2 replicates (Python: ZeroDivisionError)');
  return sampleStddev(values);
}

/**
 * The stderr of `metricName` aggregated with `agg` over `items`: "N/A" when `bootstrapIters`
 * is not a positive integer, when there is at most one item, and for aggregations without a
 * stderr (weighted_perplexity, bits_per_byte, brier_score, bypass, any custom function).
 */
export function stderrFor(
  agg: ResolvedAggregation,
  metricName: string,
  items: readonly unknown[],
  bootstrapIters: number | null | undefined = DEFAULT_BOOTSTRAP_ITERS,
): StderrValue {
  if (typeof bootstrapIters !== 'number' || !Number.isInteger(bootstrapIters) || bootstrapIters <= 0) return 'N/A';
  if (items.length <= 1) return 'N/A';
  const kind = agg.builtin?.stderr ?? 'none';
  if (kind === 'mean') return asFloat(meanStderr(items.map((x) => num(x, `${metricName} stderr`))));
  if (kind === 'bootstrap') {
    const iters = CAPPED_METRICS.has(metricName) ? Math.min(bootstrapIters, 100) : bootstrapIters;
    return asFloat(bootstrapStderr(agg, items, iters));
  }
  return 'N/A';
}
