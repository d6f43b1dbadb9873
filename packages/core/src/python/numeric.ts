/**
 * Numbers the way CPython and NumPy compute them, so that aggregated numbers match lm-eval bit
 * for bit: `sum()`, lm-eval's `mean`/`sample_stddev`/`mean_stderr` (lm_eval/api/metrics.py),
 * NumPy's pairwise `np.sum`/`np.mean` (numpy/_core/src/umath/loops_utils.h.src `pairwise_sum`),
 * `np.argmax`, and Python `int(str)`. Used by core's aggregations and by task helpers.
 */
import { PyFloat, isNumberLike, pyRepr, toNumber } from './values.ts';
import { isPyWhitespace } from './str-methods.ts';

/** A per-doc value as a JS number (Python int/float/bool). Throws a TypeError like Python would. */
export function num(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (isNumberLike(v) || typeof v === 'boolean') return toNumber(v);
  throw new TypeError(`${where}: expected a number, got ${pyRepr(v)}`);
}

/**
 * CPython `sum(xs)`: left-to-right addition starting from int 0 (CPython ≤ 3.11; 3.12+ uses
 * compensated summation for floats, so the last bit may differ from those versions).
 */
export function pySum(xs: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

/** lm-eval `mean(arr)`: `sum(arr) / len(arr)`. */
export function pyMean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('mean of an empty list (Python: ZeroDivisionError)');
  return pySum(xs) / xs.length;
}

const PW_BLOCKSIZE = 128;

/**
 * NumPy's pairwise summation of a contiguous float64 array (`np.sum`, `np.mean`, `np.nanmean`):
 * blocks of < 8 are summed left to right, blocks of ≤ 128 with 8 interleaved accumulators,
 * larger ranges are split in two halves (the first a multiple of 8).
 */
export function npSum(xs: ArrayLike<number>, start = 0, n = xs.length - start): number {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += xs[start + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [xs[start], xs[start + 1], xs[start + 2], xs[start + 3], xs[start + 4], xs[start + 5], xs[start + 6], xs[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += xs[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += xs[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return npSum(xs, start, n2) + npSum(xs, start + n2, n - n2);
}

/** `np.mean` of a float64 array (0.0 initial + pairwise sum, then one division). */
export function npMean(xs: ArrayLike<number>): number {
  return (0 + npSum(xs)) / xs.length;
}

/**
 * lm-eval `sample_stddev`: `sqrt(sum((x - mu) ** 2 for x) / (n - 1))` with `mu = mean(x)`.
 * The square is computed as `d * d` (correctly rounded); CPython evaluates `d ** 2` with libm
 * `pow()`, which on glibc ≥ 2.28 is off by one ulp for roughly 1 in 1200 arguments, so the
 * last bit can differ from a given CPython build in rare cases.
 */
export function sampleStddev(xs: readonly number[]): number {
  const mu = pyMean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i] - mu;
    s += d * d;
  }
  return Math.sqrt(s / (xs.length - 1));
}

/** lm-eval `mean_stderr`: `sample_stddev(x) / sqrt(len(x))`. */
export function meanStderr(xs: readonly number[]): number {
  return sampleStddev(xs) / Math.sqrt(xs.length);
}

/** `np.argmax`: index of the first maximum; the first NaN wins if there is one. */
export function argmax(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('attempt to get argmax of an empty sequence');
  let best = 0;
  if (Number.isNaN(xs[0])) return 0;
  for (let i = 1; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) return i;
    if (xs[i] > xs[best]) best = i;
  }
  return best;
}

/** Wraps a float result so that it prints like a Python float (`1.0`, not `1`). */
export function asFloat(x: number): number | PyFloat {
  return Number.isInteger(x) ? new PyFloat(x) : x;
}

/**
 * Python `int(s)` of a str: surrounding (Python) whitespace, an optional sign, decimal digits of
 * any script (Unicode Nd), single underscores between digits. Null when Python raises ValueError.
 */
export function pyIntFromString(s: string): number | null {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && isPyWhitespace(cps[a])) a++;
  while (b > a && isPyWhitespace(cps[b - 1])) b--;
  const body = cps.slice(a, b).join('');
  const m = /^([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)$/u.exec(body);
  if (!m) return null;
  let digits = '';
  for (const ch of m[2]) if (ch !== '_') digits += String(digitValue(ch));
  const n = parseInt(digits, 10);
  return m[1] === '-' ? -n : n;
}

/**
 * Decimal value of a Unicode Nd character: Nd code points come in runs of whole decades, each
 * decade starting at its zero, so the value is the offset from the run's start modulo 10.
 */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  let start = cp;
  while (start > 0 && /^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}
