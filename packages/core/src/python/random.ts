/**
 * Bit-exact port of CPython's `random.Random` (MT19937 + the pure-Python methods of
 * Lib/random.py as of 3.11), which lm_eval/api/samplers.py and lm_eval/api/metrics.py
 * `bootstrap_stderr` seed and draw from.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PyFloat } from './values.ts';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A seed Python's `Random(seed)` accepts (floats must be integral; str uses seed version 2). */
export type PySeed = number | bigint | string | boolean | PyFloat | null | undefined;

/** Python's `random.Random` state as returned by `getstate()`: (version, internalstate, gauss_next). */
export type PyRandomState = readonly [3, readonly number[], number | null];

function bitLength(n: number): number {
  return n < 2 ** 32 ? 32 - Math.clz32(n) : n.toString(2).length;
}

/** Key words for `init_by_array`: 32-bit words of |x|, least significant first (0 → [0]). */
function seedKey(seed: bigint): number[] {
  let x = seed < 0n ? -seed : seed;
  const key: number[] = [];
  while (x > 0n) {
    key.push(Number(x & 0xffffffffn));
    x >>= 32n;
  }
  return key.length ? key : [0];
}

function seedToBigInt(seed: Exclude<PySeed, null | undefined>): bigint {
  if (typeof seed === 'bigint') return seed;
  if (typeof seed === 'boolean') return seed ? 1n : 0n;
  if (typeof seed === 'string') {
    // Python seed version 2: int.from_bytes(a.encode() + sha512(a.encode()).digest(), 'big').
    const bytes = Buffer.from(seed, 'utf8');
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
    return BigInt('0x' + all.toString('hex'));
  }
  const v = seed instanceof PyFloat ? seed.value : seed;
  // Python hashes floats; for integral floats below 2^61-1 the hash is the value itself.
  if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 61 - 1) {
    throw new TypeError(`PyRandom: unsupported seed ${String(v)} (use an int, bigint or str)`);
  }
  return BigInt(v);
}

export class PyRandom {
  private mt = new Uint32Array(N);
  private index = N + 1;
  /** Python's `gauss_next` (kept only so that state round-trips). */
  private gaussNext: number | null = null;

  constructor(seed?: PySeed) {
    this.seed(seed);
  }

  /** Python `seed(a)`: None → OS entropy. */
  seed(seed?: PySeed): void {
    let key: number[];
    if (seed === null || seed === undefined) {
      const b = randomBytes(N * 4);
      key = Array.from({ length: N }, (_, i) => b.readUInt32LE(i * 4));
    } else key = seedKey(seedToBigInt(seed));
    this.initByArray(key);
    this.gaussNext = null;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** MT19937 `genrand_uint32`. */
  private genrandUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      let kk = 0;
      let y: number;
      for (; kk < N - M; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Python `random()`: a float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.genrandUint32() >>> 5;
    const b = this.genrandUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Python `getrandbits(k)` for 0 ≤ k ≤ 53 (as a number). */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0) throw new RangeError('number of bits must be non-negative');
    if (k === 0) return 0;
    if (k <= 32) return this.genrandUint32() >>> (32 - k);
    if (k > 53) throw new RangeError('getrandbits(k) with k > 53: use getrandbitsBig');
    return Number(this.getrandbitsBig(k));
  }

  /** Python `getrandbits(k)` for any k: 32-bit words least significant first, the last one truncated. */
  getrandbitsBig(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) throw new RangeError('number of bits must be non-negative');
    let out = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let r = this.genrandUint32();
      if (left < 32) r >>>= 32 - left;
      out |= BigInt(r) << shift;
      shift += 32n;
    }
    return out;
  }

  /** Python `_randbelow_with_getrandbits(n)` for 1 ≤ n ≤ 2^53 (n = 0 returns 0). */
  _randbelow(n: number): number {
    if (n <= 0) return 0;
    const k = bitLength(n); // bit length of n itself, not n-1 (CPython quirk)
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** Python `randrange(start[, stop[, step]])`. */
  randrange(start: number, stop?: number, step = 1): number {
    if (![start, stop ?? 0, step].every(Number.isInteger)) throw new TypeError('randrange() arguments must be integers');
    if (stop === undefined) {
      if (start > 0) return this._randbelow(start);
      throw new RangeError('empty range for randrange()');
    }
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + this._randbelow(width);
      throw new RangeError(`empty range for randrange() (${start}, ${stop}, ${width})`);
    }
    let n: number;
    if (step > 0) n = Math.floor((width + step - 1) / step);
    else if (step < 0) n = Math.floor((width + step + 1) / step);
    else throw new RangeError('zero step for randrange()');
    if (n <= 0) throw new RangeError('empty range for randrange()');
    return start + step * this._randbelow(n);
  }

  /** Python `randint(a, b)`: a ≤ N ≤ b. */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  /** Python `choice(seq)`. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError('Cannot choose from an empty sequence');
    return seq[this._randbelow(seq.length)];
  }

  /** Python `uniform(a, b)`. */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** Python `shuffle(x)` (in place). */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this._randbelow(i + 1);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /**
   * Python `sample(population, k, *, counts=None)`: pool path for small populations, set-of-
   * indexes path otherwise (which path is taken changes the result, so it is mirrored exactly).
   */
  sample<T>(population: readonly T[], k: number, counts?: readonly number[]): T[] {
    if (counts !== undefined) {
      if (counts.length !== population.length) throw new RangeError('The number of counts does not match the population');
      const cum: number[] = [];
      let total = 0;
      for (const c of counts) cum.push((total += c));
      const sel = this.sample(Array.from({ length: total }, (_, i) => i), k);
      // bisect_right(cum_counts[:-1], s)
      return sel.map((s) => {
        let lo = 0;
        let hi = cum.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (s < cum[mid]) hi = mid;
          else lo = mid + 1;
        }
        return population[lo];
      });
    }
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError('Sample larger than population or is negative');
    const result: T[] = new Array(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this._randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this._randbelow(n);
        while (selected.has(j)) j = this._randbelow(n);
        selected.add(j);
        result[i] = population[j];
      }
    }
    return result;
  }

  /** Python `choices(population, weights=None, *, cum_weights=None, k=1)`. */
  choices<T>(population: readonly T[], k = 1, options: { weights?: readonly number[]; cumWeights?: readonly number[] } = {}): T[] {
    const n = population.length;
    let cum = options.cumWeights;
    if (cum === undefined) {
      if (options.weights === undefined) {
        const out: T[] = new Array(k);
        for (let i = 0; i < k; i++) out[i] = population[Math.floor(this.random() * n)];
        return out;
      }
      let acc = 0;
      cum = options.weights.map((w) => (acc += w));
    } else if (options.weights !== undefined) throw new TypeError('Cannot specify both weights and cumulative weights');
    if (cum.length !== n) throw new RangeError('The number of weights does not match the population');
    const total = cum[n - 1] + 0;
    if (!(total > 0)) throw new RangeError('Total of weights must be greater than zero');
    if (!Number.isFinite(total)) throw new RangeError('Total of weights must be finite');
    const hi = n - 1;
    const out: T[] = new Array(k);
    for (let i = 0; i < k; i++) {
      // bisect_right(cum_weights, random() * total, 0, hi)
      const x = this.random() * total;
      let lo = 0;
      let h = hi;
      while (lo < h) {
        const mid = (lo + h) >> 1;
        if (x < cum[mid]) h = mid;
        else lo = mid + 1;
      }
      out[i] = population[lo];
    }
    return out;
  }

  /** Python `getstate()`: (3, (*mt, index), gauss_next). */
  getstate(): PyRandomState {
    return [3, [...this.mt, this.index], this.gaussNext];
  }

  /** Python `setstate(state)`. */
  setstate(state: PyRandomState): void {
    const [version, internal, gauss] = state;
    if (version !== 3 || internal.length !== N + 1) throw new TypeError('PyRandom.setstate: state of the wrong shape');
    const index = internal[N];
    if (!Number.isInteger(index) || index < 0 || index > N) throw new RangeError('invalid state');
    this.mt.set(internal.slice(0, N));
    this.index = index;
    this.gaussNext = gauss;
  }

  /** An independent copy with the same state (Python `copy.deepcopy(rng)` / getstate+setstate). */
  clone(): PyRandom {
    const r = new PyRandom(0);
    r.setstate(this.getstate());
    return r;
  }
}
