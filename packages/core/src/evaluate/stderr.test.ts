import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PyFloat, tuple } from '../python/values.ts';
import { resolveAggregation } from './aggregations/registry.ts';
import { bootstrapStderr, stderrFor, stderrOf } from './stderr.ts';

const V = JSON.parse(readFileSync(new URL('./aggregations/testdata/python-vectors.json', import.meta.url), 'utf8'));
const val = (x: unknown) => (x instanceof PyFloat ? x.value : x);
const R = (name: string, profile: '0.4.4' | 'latest' = 'latest') => resolveAggregation(name, profile);

describe('closed-form stderr of mean', () => {
  it('sample_stddev / sqrt(n), as in the arc_easy fixture', () => {
    const acc = [1, 0, 0, 1, 0, 1, 0, 0].map((x) => new PyFloat(x)); // 3 of 8
    expect(val(stderrOf(R('mean'), 'acc', acc))).toBe(0.18298126367784995);
    expect(val(stderrOf(R('mean'), 'acc_norm', [1, 0, 0, 0, 0, 0, 0, 0]))).toBe(0.125);
    expect(val(stderrOf(R('mean'), 'acc', V.accs))).toBe(V.acc_stderr);
  });
  it('is a Python float 0.0 for constant values', () => {
    const s = stderrOf(R('mean'), 'acc', [0, 0, 0]);
    expect(s).toBeInstanceOf(PyFloat);
    expect(val(s)).toBe(0);
  });
});

describe('"N/A" cases', () => {
  it('n ≤ 1, non-positive bootstrap_iters, aggregations without stderr, custom functions', () => {
    expect(stderrOf(R('mean'), 'acc', [1])).toBe('N/A');
    expect(stderrOf(R('mean'), 'acc', [1, 0], 0)).toBe('N/A');
    expect(stderrOf(R('mean'), 'acc', [1, 0], null)).toBe('N/A');
    expect(stderrOf(R('weighted_perplexity'), 'word_perplexity', [[-1, 2], [-2, 3]])).toBe('N/A');
    expect(stderrOf(R('bits_per_byte'), 'bits_per_byte', [[-1, 2], [-2, 3]])).toBe('N/A');
    expect(stderrOf(R('brier_score'), 'brier_score', [tuple<unknown>(0, [1, 0]), tuple<unknown>(1, [0, 1])])).toBe('N/A');
    expect(stderrOf(R('bypass'), 'bypass', [null, null])).toBe('N/A');
    const custom = R(((items: unknown[]) => items.length) as never);
    expect(stderrOf(custom, 'acc', [1, 0, 1])).toBe('N/A');
    expect(stderrFor(null, (items) => items.length, 'acc', [1, 0, 1])).toBe('N/A');
  });
});

describe('bootstrap (CPython Random(i), chunks of 1000)', () => {
  it('f1 over 300 pairs with the default 100000 replicates matches CPython', () => {
    const s = stderrOf(R('f1'), 'f1', V.f1_pairs, 100000);
    expect(val(s)).toBe(V.f1_boot_100000);
  });
  it('matthews_corrcoef, median (both profiles), perplexity, nanmean match CPython', () => {
    expect(val(stderrOf(R('matthews_corrcoef'), 'mcc', V.mcc_pairs, 2000))).toBe(V.mcc_boot_2000);
    expect(val(stderrOf(R('median', '0.4.4'), 'm', V.vals, 3000))).toBe(V.median_old_boot_3000);
    expect(val(stderrOf(R('median', 'latest'), 'm', V.vals, 3000))).toBe(V.median_new_boot_3000);
    expect(val(stderrOf(R('perplexity'), 'perplexity', V.vals, 1000))).toBe(V.ppl_boot_1000);
    const nv = (V.vals as number[]).map((v, i) => (i % 7 === 0 ? NaN : v));
    expect(val(stderrOf(R('nanmean'), 'x', nv, 1500))).toBe(V.nanmean_boot_1500);
  });
  it('the generic path (aggregate on resampled items) equals the fast path', () => {
    const f1 = R('f1');
    const generic = bootstrapStderr(f1.aggregate as (i: unknown[]) => unknown, V.f1_pairs, 2000);
    const fast = bootstrapStderr(f1.aggregate as (i: unknown[]) => unknown, V.f1_pairs, 2000, f1.builtin!.resampler!(V.f1_pairs, 'latest'));
    expect(fast).toBe(generic);
    // a function not produced by resolveAggregation takes the generic path with the same result
    const m = R('median', '0.4.4');
    expect(stderrFor('median', (items) => m.aggregate(items), 'm', V.vals, 3000)).toBe(V.median_old_boot_3000);
  });
  it('is deterministic and 0 for a constant list', () => {
    const a = stderrOf(R('median'), 'm', [3, 1, 2, 5, 4], 2000);
    expect(stderrOf(R('median'), 'm', [3, 1, 2, 5, 4], 2000)).toEqual(a);
    expect(val(stderrOf(R('median'), 'm', [2, 2, 2, 2], 2000))).toBe(0);
    // exp(1.5) is not exactly representable: the mean of 1000 copies drifts, as in CPython
    // (sample_stddev([math.exp(1.5)] * 1000) == 4.620838779724344e-14)
    expect(val(stderrOf(R('perplexity'), 'perplexity', [-1.5, -1.5, -1.5], 1000))).toBe(4.620838779724344e-14);
  });
  it('caps bleu/chrf/ter at 100 replicates (one chunk, seed 0)', () => {
    const items = [
      ['the cat sat on the mat', 'the cat sat on a mat'],
      ['a quick brown fox', 'the quick brown fox'],
      ['hello world', 'hello there world'],
      ['one two three four', 'one two three four'],
    ];
    for (const name of ['bleu', 'chrf', 'ter']) {
      const agg = R(name);
      const capped = stderrOf(agg, name, items, 100000);
      expect(val(capped)).toBe(bootstrapStderr(agg.aggregate as (i: unknown[]) => unknown, items, 100));
    }
    // under another metric name the cap does not apply
    const b = R('bleu');
    expect(val(stderrOf(b, 'my_bleu', items, 200))).toBe(bootstrapStderr(b.aggregate as (i: unknown[]) => unknown, items, 200));
  });
});
