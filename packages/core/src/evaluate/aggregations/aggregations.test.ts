import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../../errors.ts';
import { PyFloat, tuple } from '../../python/values.ts';
import { f1Binary } from './f1.ts';
import { matthewsCorrcoef } from './matthews-corrcoef.ts';
import { exp, log } from './libm.ts';
import { npMean, npSum, sampleStddev } from '../../python/numeric.ts';
import { pyReSplitWhitespace, pyReSplitWhitespaceCount, pySplitWhitespace } from '../../python/str-methods.ts';
import { aggregationNames, getAggregationDef, resolveAggregation } from './registry.ts';

const V = JSON.parse(readFileSync(new URL('./testdata/python-vectors.json', import.meta.url), 'utf8'));
const agg = (name: string, items: unknown[], profile: '0.4.4' | 'latest' = 'latest') => resolveAggregation(name, profile).aggregate(items);
const val = (x: unknown) => (x instanceof PyFloat ? x.value : x);

describe('numeric helpers', () => {
  it('npSum / npMean reproduce NumPy pairwise summation bit for bit', () => {
    for (const c of V.sums) {
      expect(npSum(c.xs)).toBe(c.sum);
      expect(npMean(c.xs)).toBe(c.mean);
    }
  });
  it('whitespace splitting follows Python str.split() and re.split(r"\\s+")', () => {
    expect(pySplitWhitespace('  a\u00a0b\x1cc\u3000 ')).toEqual(['a', 'b', 'c']);
    expect(pySplitWhitespace('a\ufeffb')).toEqual(['a\ufeffb']); // BOM is not whitespace in Python
    expect(pyReSplitWhitespace(' a  b ')).toEqual(['', 'a', 'b', '']);
    expect(pyReSplitWhitespace('')).toEqual(['']);
    // count_words: len(re.split(r"\s+", t)), counted without the pieces
    for (const t of [' a  b ', '', 'a', 'a\u00a0\u2028b\x1c', 'a\ufeffb', '\u3000x y\t\n']) {
      expect(pyReSplitWhitespaceCount(t)).toBe(pyReSplitWhitespace(t).length);
    }
    expect(pyReSplitWhitespaceCount(' a  b ')).toBe(4);
  });
  it('sampleStddev of a constant list is 0', () => {
    expect(sampleStddev([0.5, 0.5, 0.5])).toBe(0);
  });
});

describe('libm', () => {
  it('exp/log are correctly rounded where V8 Math.exp/Math.log are not', () => {
    // CPython (glibc) values; V8 gives 21.975985034258038 for the first
    expect(exp(3.0899502677888293)).toBe(21.97598503425804);
    expect(exp(1)).toBe(Math.E);
    expect(exp(0)).toBe(1);
    expect(exp(-1000)).toBe(0);
    expect(exp(1000)).toBe(Infinity);
    expect(log(Math.E)).toBe(1);
    expect(log(100)).toBe(4.605170185988092);
    expect(log(1e300)).toBe(690.7755278982137);
    expect(log(0)).toBe(-Infinity);
  });
});

describe('registry', () => {
  it('knows every aggregation lm-eval registers; nanmean only in latest', () => {
    expect(aggregationNames('latest')).toEqual(
      ['bits_per_byte', 'bleu', 'brier_score', 'bypass', 'chrf', 'f1', 'matthews_corrcoef', 'mean', 'median', 'nanmean', 'perplexity', 'ter', 'weighted_perplexity'].sort(),
    );
    expect(aggregationNames('0.4.4')).not.toContain('nanmean');
    expect(() => resolveAggregation('nanmean', '0.4.4')).toThrow(LmEvalError);
  });
  it('rejects unknown names with the list of known ones', () => {
    expect(() => resolveAggregation('avg', 'latest', 'task x metric_list[0].aggregation')).toThrow(/unknown aggregation 'avg'/);
    try {
      resolveAggregation('avg');
    } catch (e) {
      expect((e as LmEvalError).hint).toMatch(/mean, median/);
    }
  });
  it('accepts a custom JS function (from !function) and marks it as not built in', () => {
    const r = resolveAggregation(function maxAgg(items: unknown[]) {
      return Math.max(...(items as number[]));
    });
    expect(r.name).toBe('maxAgg');
    expect(r.builtin).toBeNull();
    expect(r.aggregate([1, 5, 2])).toBe(5);
  });
});

describe('mean / median / nanmean', () => {
  it('mean is sum / len and always a Python float', () => {
    const m = agg('mean', [1, 1]);
    expect(m).toBeInstanceOf(PyFloat); // prints as 1.0
    expect(val(m)).toBe(1);
    expect(agg('mean', [1, 0, 0, 1])).toBe(0.5);
    expect(val(agg('mean', V.accs))).toBe(V.acc_mean);
    expect(val(agg('mean', [0.1, 0.2, 0.3]))).toBe(0.20000000000000004); // CPython 3.11: sum left to right
    expect(val(agg('mean', [new PyFloat(1), true, 0]))).toBe(2 / 3);
    expect(() => agg('mean', [[1, 2]])).toThrow(TypeError);
  });
  it("median: [v0.4.4] middle element without sorting, [latest] of the sorted list", () => {
    expect(agg('median', [5, 1, 3, 2], '0.4.4')).toBe(3);
    expect(agg('median', [5, 1, 3, 2], 'latest')).toBe(3);
    expect(agg('median', [9, 1, 2], '0.4.4')).toBe(1);
    expect(agg('median', [9, 1, 2], 'latest')).toBe(2);
  });
  it('nanmean ignores NaN (NumPy pairwise sum) and is NaN when all are NaN', () => {
    const nv = (V.vals as number[]).map((v, i) => (i % 7 === 0 ? NaN : v));
    expect(val(agg('nanmean', nv))).toBe(V.nanmean);
    expect(Number.isNaN(val(agg('nanmean', [NaN, NaN])))).toBe(true);
    expect(val(agg('nanmean', [1, NaN, 2]))).toBe(1.5);
  });
});

describe('perplexity family', () => {
  it('perplexity = exp(-mean(ll))', () => {
    expect(val(agg('perplexity', V.vals))).toBeCloseTo(V.ppl, 12);
    expect(val(agg('perplexity', [-1, -1]))).toBe(Math.E);
  });
  it('weighted_perplexity and bits_per_byte reproduce the wikitext fixture', () => {
    // per-doc values of the Python harness' samples (oracle/wikitext zeroshot)
    const lls = [-413.6, -232.792, -462.66, -760.816, -627.555, -295.719, -525.961, -719.462];
    const words = [49, 57, 24, 45, 10, 23, 34, 11];
    const bytes = [262, 276, 198, 233, 35, 97, 168, 38];
    expect(val(agg('weighted_perplexity', lls.map((l, i) => tuple<unknown>(l, words[i]))))).toBe(8560828.320769781);
    expect(val(agg('weighted_perplexity', lls.map((l, i) => tuple<unknown>(l, bytes[i]))))).toBe(21.97598503425804);
    expect(val(agg('bits_per_byte', lls.map((l, i) => [l, bytes[i]])))).toBe(4.457855927932469);
  });
  it('bits_per_byte is -(Σll/Σbytes)/ln 2', () => {
    expect(val(agg('bits_per_byte', [[-Math.LN2 * 8, 4], [0, 4]]))).toBe(1);
  });
});

describe('f1 (scikit-learn binary, 2tp/(2tp+fp+fn))', () => {
  it("gives 0.3333333333333333 for tp=1, fp=0, fn=4 (not 2PR/(P+R)'s 0.33333333333333337)", () => {
    const golds = [1, 1, 1, 1, 1, 0];
    const preds = [1, 0, 0, 0, 0, 0];
    expect(f1Binary(golds, preds)).toBe(0.3333333333333333);
    expect(val(agg('f1', golds.map((g, i) => tuple<unknown>(g, preds[i]))))).toBe(0.3333333333333333);
  });
  it('matches the reference formula on 300 random pairs', () => {
    expect(val(agg('f1', V.f1_pairs))).toBe(V.f1);
  });
  it('is 0.0 without positives, handles bools, and rejects non-binary targets', () => {
    expect(val(agg('f1', [[0, 0], [0, 0]]))).toBe(0);
    expect(val(agg('f1', [[true, true], [false, true]]))).toBe(2 / 3);
    expect(() => agg('f1', [[0, 1], [2, 1]])).toThrow(/multiclass/);
    expect(() => agg('f1', [[0, 2], [2, 0]])).toThrow(/pos_label=1 is not a valid label/);
    expect(() => agg('f1', [['a', 1]])).toThrow(/Mix of label input types/);
  });
});

describe('matthews_corrcoef (scikit-learn multiclass)', () => {
  it('edge cases', () => {
    expect(matthewsCorrcoef([0, 1, 0, 1], [0, 1, 0, 1])).toBe(1);
    expect(matthewsCorrcoef([0, 1, 0, 1], [1, 0, 1, 0])).toBe(-1);
    expect(matthewsCorrcoef([1, 1, 1], [1, 1, 1])).toBe(0); // denominator 0
    expect(matthewsCorrcoef([0, 1, 1], [1, 1, 1])).toBe(0); // constant prediction
    // binary: tp=2 tn=1 fp=1 fn=0 → (2·1−1·0)/sqrt(3·2·2·1) = 2/sqrt(12)
    expect(matthewsCorrcoef([1, 1, 0, 0], [1, 1, 1, 0])).toBe(2 / Math.sqrt(12));
  });
  it('matches the reference on a 4-class sample', () => {
    expect(val(agg('matthews_corrcoef', V.mcc_pairs))).toBe(V.mcc);
  });
  it('treats -100 (bad gold) as its own label', () => {
    expect(matthewsCorrcoef([-100, 0, 1], [0, 0, 1])).toBeCloseTo(0.6123724356957946, 15);
  });
});

describe('brier_score / bypass', () => {
  it('brier_score = mean of squared distances to the one-hot gold', () => {
    const golds = [0, 2, 1, 1];
    const probs = [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.25, 0.25, 0.5]];
    expect(val(agg('brier_score', golds.map((g, i) => tuple<unknown>(g, probs[i]))))).toBe(V.brier);
    expect(val(agg('brier_score', [tuple<unknown>(0, [1, 0])]))).toBe(0);
  });
  it('bypass is the int 999', () => {
    expect(agg('bypass', [null, null])).toBe(999);
  });
});

describe('bleu / chrf / ter over [ref, pred] items', () => {
  it('wrap sacrebleu corpus scores (lm-eval _sacreformat)', () => {
    const items = [
      ['The dog bit the man.', 'The dog bit the man.'],
      ['It was not unexpected.', "It wasn't surprising."],
      ['The man bit him first.', 'The man had just bitten him.'],
    ];
    const b = val(agg('bleu', items)) as number;
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThan(100);
    expect(val(agg('ter', [['a b c', 'a b c']]))).toBe(0);
    expect(val(agg('chrf', [['abc', 'abc']]))).toBe(100);
  });
  it('multiple references per doc are transposed into reference streams', () => {
    const items = [
      [['The dog bit the man.', 'The dog had bit the man.'], 'The dog bit the man.'],
      [['It was not unexpected.', 'No one was surprised.'], "It wasn't surprising."],
      [['The man bit him first.', 'The man had bitten the dog.'], 'The man had just bitten him.'],
    ];
    expect(val(agg('bleu', items))).toBe(48.530827009929865);
    expect(val(agg('chrf', items))).toBeCloseTo(59.73, 2);
    expect(val(agg('ter', items))).toBe(40);
  });
  it('defaults of the registry entries', () => {
    expect(getAggregationDef('bleu')!.stderr).toBe('bootstrap');
    expect(getAggregationDef('weighted_perplexity')!.stderr).toBe('none');
    expect(getAggregationDef('mean')!.stderr).toBe('mean');
  });
});
