/**
 * NumPy's reductions against values written by NumPy itself (testdata/make-numpy-sums.py:
 * random float64 vectors of lengths 3–300, including the pairwise-summation block edges).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { npMean, npSum, pyIntFromString, pySum } from './numeric.ts';

const FIXTURE = JSON.parse(readFileSync(new URL('./testdata/numpy-sums.json', import.meta.url), 'utf8')) as {
  cases: Array<{ xs: number[]; sum: number; mean: number }>;
};

describe('np.sum / np.mean', () => {
  it('match NumPy bit for bit on every fixture vector', () => {
    expect(FIXTURE.cases.length).toBeGreaterThanOrEqual(40);
    const lengths = FIXTURE.cases.map((c) => c.xs.length);
    expect(Math.min(...lengths)).toBe(3);
    expect(Math.max(...lengths)).toBe(300);
    for (const c of FIXTURE.cases) {
      expect(npSum(c.xs), `np.sum of ${c.xs.length} values`).toBe(c.sum);
      expect(npMean(c.xs), `np.mean of ${c.xs.length} values`).toBe(c.mean);
    }
  });

  it('differs from a left-to-right sum on these vectors (the fixture can tell the two apart)', () => {
    const differ = FIXTURE.cases.filter((c) => pySum(c.xs) !== c.sum).length;
    expect(differ).toBeGreaterThan(10);
  });
});

describe('int(str)', () => {
  it('reads what Python int() reads and nothing else', () => {
    expect(pyIntFromString(' 42 ')).toBe(42);
    expect(pyIntFromString('-1_000')).toBe(-1000);
    expect(pyIntFromString('\u0663')).toBe(3); // ARABIC-INDIC DIGIT THREE
    expect(pyIntFromString('\u3000+7\u2029')).toBe(7);
    for (const bad of ['', '1__0', '_1', '1.0', '0x10', '²', 'one']) expect(pyIntFromString(bad), bad).toBeNull();
  });
});
