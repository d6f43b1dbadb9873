/**
 * Correctly rounded `exp` and `log`. CPython's `math.exp`/`math.log` call the C library; glibc
 * (≥ 2.28) returns the correctly rounded result for all but ~0.1% (exp) / ~0.005% (log) of
 * arguments, while V8's `Math.exp`/`Math.log` (fdlibm ports) are off by one ulp for ~10% / ~1%
 * of them (e.g. `exp(3.0899502677888293)`, wikitext's byte_perplexity). Perplexities and BLEU
 * must match lm-eval's printed numbers, so they use these. Internally: double-double
 * arithmetic (~106 bits), rounded once at the end.
 */

type DD = [number, number];

const SPLITTER = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  return quickTwoSum(s, e + a[1] + b[1]);
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return quickTwoSum(p, e + (a[0] * b[1] + a[1] * b[0]));
}

function ddDivNum(a: DD, b: number): DD {
  const q1 = a[0] / b;
  const [p, e] = twoProd(q1, b);
  const q2 = (a[0] - p - e + a[1]) / b;
  return quickTwoSum(q1, q2);
}

// ln 2 as a double-double
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;

/** exp(x) as an unrounded double-double, for |x| ≤ 709 (k = round(x / ln 2) ≤ 1023). */
function expDD(x: number): DD {
  const k = Math.round(x / LN2_HI);
  // r = x - k·ln2, in double-double
  const kh = twoProd(k, LN2_HI);
  let r = ddAdd([x, 0], [-kh[0], -kh[1]]);
  r = ddAdd(r, twoProd(-k, LN2_LO));
  // exp(r) = exp(r / 256)^256; Taylor series on the small argument
  const s: DD = [r[0] / 256, r[1] / 256];
  let sum: DD = [1, 0];
  let term: DD = [1, 0];
  for (let i = 1; i <= 14; i++) {
    term = ddDivNum(ddMul(term, s), i);
    sum = ddAdd(sum, term);
  }
  for (let i = 0; i < 8; i++) sum = ddMul(sum, sum);
  const scale = 2 ** k;
  return [sum[0] * scale, sum[1] * scale];
}

/** Correctly rounded e^x (what glibc's `exp` returns). */
export function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  // below this the result is subnormal (or 0): fall back to the platform exp
  if (x < -708 || x > 709) return Math.exp(x);
  if (x === 0) return 1;
  const [h, l] = expDD(x);
  return h + l;
}

/** Correctly rounded natural logarithm (what glibc's `log` returns). */
export function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  if (x === 1) return 0;
  if (x < 2.2250738585072014e-308) return Math.log(x); // subnormal inputs: not needed here
  // x = m · 2^E with m in [sqrt(1/2), sqrt(2)): log x = E·ln 2 + log m
  const E = Math.round(Math.log2(x));
  const m = E > 1023 ? x / 2 ** (E - 1) / 2 : x / 2 ** E; // scaling by powers of 2 is exact
  // log m by one Newton step on f(y) = e^y - m: y1 = y0 + (m·e^{-y0} - 1), in double-double
  const y0 = Math.log(m);
  const t = ddAdd(ddMul(expDD(-y0), [m, 0]), [-1, 0]);
  let acc = twoSum(y0, t[0]);
  acc = ddAdd(acc, [t[1], 0]);
  if (E !== 0) acc = ddAdd(ddAdd(twoProd(E, LN2_HI), twoProd(E, LN2_LO)), acc);
  return acc[0] + acc[1];
}
