/**
 * `lm-eval compare`: the paired tests against known values, and two Python-written runs of
 * arc_easy (the oracle fixtures) compared document by document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns, mcnemarExact, pairedPermutation, readRuns, renderComparison, singleRun } from '../src/index.ts';
import { ROOT } from './servers.ts';

const ORACLE = path.join(ROOT, 'packages/core/test/fixtures/oracle');

describe('paired tests', () => {
  it("McNemar's exact test is the two-sided binomial test on the discordant pairs", () => {
    // scipy.stats.binomtest(1, 6, 0.5).pvalue == 0.21875; binomtest(0, 10).pvalue == 2/1024
    expect(mcnemarExact(1, 5)).toBeCloseTo(0.21875, 12);
    expect(mcnemarExact(5, 1)).toBeCloseTo(0.21875, 12);
    expect(mcnemarExact(0, 10)).toBeCloseTo(2 / 1024, 12);
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
  });

  it('the permutation test approximates the exact sign-flip p-value and is seeded', () => {
    // ten equal positive differences: exact p = 2 / 2^10
    const p = pairedPermutation(new Array(10).fill(0.5));
    expect(p).toBeGreaterThan(0.0005);
    expect(p).toBeLessThan(0.005);
    expect(pairedPermutation([0.1, -0.2, 0.3, 0.05])).toBe(pairedPermutation([0.1, -0.2, 0.3, 0.05]));
    expect(pairedPermutation([0, 0, 0])).toBe(1);
  });
});

describe('compare two runs', () => {
  it('pairs the documents of two Python-written arc_easy runs and lists the flips', () => {
    const a = path.join(ORACLE, 'arc_easy/lmeval_out_zeroshot');
    const b = path.join(ORACLE, 'arc_easy/lmeval_out_fewshot');
    const c = compareRuns(singleRun(readRuns([a]), a), singleRun(readRuns([b]), b));
    const rows = (dir: string) =>
      fs
        .readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('samples_'))!), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { doc_id: number; acc: number });
    const ra = rows(a);
    const rb = rows(b);
    const better = ra.filter((r, i) => rb[i].acc > r.acc).length;
    const worse = ra.filter((r, i) => rb[i].acc < r.acc).length;
    const acc = c.metrics.find((m) => m.metric === 'acc')!;
    expect(acc).toMatchObject({ task: 'arc_easy', filter: 'none', n: 8, meanA: 0.375, meanB: 0.25, test: 'mcnemar-exact', better, worse });
    expect(acc.diff).toBeCloseTo(-0.125, 12);
    expect(acc.pValue).toBe(mcnemarExact(better, worse));
    expect(acc.flips.map((f) => f.doc_id)).toEqual(ra.filter((r, i) => rb[i].acc !== r.acc).map((r) => r.doc_id));
    const text = renderComparison(c);
    expect(text).toContain('| arc_easy | acc | none | 8 | 0.3750 | 0.2500 | -0.1250 |');
    expect(text).toContain('### arc_easy acc (none): 3 changed');
  });

  it('refuses a folder with several runs, naming them', () => {
    const dir = path.join(ORACLE, 'arc_easy');
    expect(() => singleRun(readRuns([dir]), dir)).toThrow(/compare: '.*arc_easy' holds 6 runs/);
  });
});
