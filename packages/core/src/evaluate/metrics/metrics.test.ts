import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../../errors.ts';
import { PyFloat } from '../../python/values.ts';
import { exactMatchCompute } from './exact-match.ts';
import { aggregationForKey, DEFAULT_METRICS, getMetricDef, keywordMetric, metricNames, resolveMetricList } from './registry.ts';

const em = (p: string[], r: string[], o: Record<string, unknown> = {}) => {
  const v = exactMatchCompute({ predictions: p, references: r, ...o }).exact_match;
  return v instanceof PyFloat ? v.value : v;
};

describe('metric registry (lm_eval/api/metrics.py registrations)', () => {
  it('has every metric with its default aggregation and higher_is_better', () => {
    const table: Array<[string, boolean, string]> = [
      ['acc', true, 'mean'],
      ['acc_norm', true, 'mean'],
      ['acc_bytes', true, 'mean'],
      ['acc_mutual_info', true, 'mean'],
      ['exact_match', true, 'mean'],
      ['perplexity', false, 'perplexity'],
      ['likelihood', true, 'mean'],
      ['word_perplexity', false, 'weighted_perplexity'],
      ['byte_perplexity', false, 'weighted_perplexity'],
      ['bits_per_byte', false, 'bits_per_byte'],
      ['brier_score', false, 'brier_score'],
      ['mcc', true, 'matthews_corrcoef'],
      ['f1', true, 'f1'],
      ['bleu', true, 'bleu'],
      ['chrf', true, 'chrf'],
      ['ter', true, 'ter'],
      ['acc_all', true, 'mean'],
      ['bypass', true, 'bypass'],
    ];
    for (const [name, hib, aggName] of table) {
      const d = getMetricDef(name)!;
      expect(d, name).toBeDefined();
      expect([d.higherIsBetter, d.aggregation]).toEqual([hib, aggName]);
    }
    expect(metricNames('latest')).toHaveLength(table.length);
    expect(metricNames('0.4.4')).not.toContain('acc_bytes');
    expect(metricNames('0.4.4')).not.toContain('likelihood');
  });
  it('pass-through metrics return their input; bypass returns None', () => {
    expect(getMetricDef('bleu')!.passthrough!(['ref', 'pred'])).toEqual(['ref', 'pred']);
    expect(getMetricDef('bleu')!.compute).toBeUndefined();
    expect(getMetricDef('bypass')!.passthrough!(['x', 'y'])).toBeNull();
  });
});

describe('resolveMetricList', () => {
  it('uses the default list per output type when metric_list is absent', () => {
    for (const ot of ['loglikelihood', 'loglikelihood_rolling', 'multiple_choice', 'generate_until'] as const) {
      const { metrics, warnings } = resolveMetricList({ task: 't', outputType: ot, customProcessResults: false, profile: 'latest' });
      expect(metrics.map((m) => m.name)).toEqual(DEFAULT_METRICS[ot]);
      expect(warnings).toEqual([]);
    }
  });
  it('takes aggregation / higher_is_better / kwargs from the entry, defaults with warnings', () => {
    const { metrics, warnings } = resolveMetricList({
      task: 'gsm8k',
      outputType: 'generate_until',
      metricList: [
        { metric: 'exact_match', aggregation: 'mean', higher_is_better: true, ignore_case: true, regexes_to_ignore: [','] },
        { metric: 'bleu' },
      ],
      customProcessResults: false,
      profile: 'latest',
    });
    expect(metrics[0].kwargs).toEqual({ ignore_case: true, regexes_to_ignore: [','] });
    expect(metrics[0].aggregation.name).toBe('mean');
    expect(metrics[1].aggregation.name).toBe('bleu');
    expect(metrics[1].higherIsBetter).toBe(true);
    expect(warnings).toHaveLength(2);
  });
  it('rejects unknown metrics and hf_evaluate metrics with a clear error', () => {
    const run = (entry: Record<string, unknown>) =>
      resolveMetricList({ task: 'x', outputType: 'generate_until', metricList: [entry as never], customProcessResults: false, profile: 'latest' });
    expect(() => run({ metric: 'rouge' })).toThrow(LmEvalError);
    expect(() => run({ metric: 'rouge' })).toThrow(/metric 'rouge' is not available/);
    try {
      run({ metric: 'rouge' });
    } catch (e) {
      expect((e as LmEvalError).hint).toMatch(/acc, acc_all, acc_bytes/);
    }
    expect(() => run({ metric: 'exact_match', hf_evaluate: true })).toThrow(/hf_evaluate: true/);
    expect(() => resolveMetricList({ task: 'x', outputType: 'multiple_choice', metricList: [{ metric: 'acc_bytes' }], customProcessResults: false, profile: '0.4.4' })).toThrow(
      /acc_bytes/,
    );
  });
  it('with a custom process_results: any metric name, but an aggregation is needed when unregistered', () => {
    const { metrics } = resolveMetricList({
      task: 'rummlu',
      outputType: 'multiple_choice',
      metricList: [{ metric: 'acc.anatomy', aggregation: 'mean', higher_is_better: true }, { metric: 'acc' }],
      customProcessResults: true,
      profile: '0.4.4',
    });
    expect(metrics.map((m) => [m.name, m.impl, m.aggregation.name, m.higherIsBetter])).toEqual([
      ['acc.anatomy', null, 'mean', true],
      ['acc', null, 'mean', true],
    ]);
    expect(() =>
      resolveMetricList({ task: 't', outputType: 'multiple_choice', metricList: [{ metric: 'acc.x' }], customProcessResults: true, profile: 'latest' }),
    ).toThrow(/no default aggregation/);
  });
  it('accepts !function metrics and aggregations', () => {
    function myScore(items: unknown) {
      return (items as unknown[]).length;
    }
    const kw = keywordMetric(function kwScore(args) {
      return args.references.length;
    });
    function f1Macro(items: unknown[]) {
      return items.length;
    }
    const { metrics } = resolveMetricList({
      task: 't',
      outputType: 'generate_until',
      metricList: [
        { metric: myScore, aggregation: f1Macro, higher_is_better: true },
        { metric: kw, aggregation: 'mean' },
      ],
      customProcessResults: false,
      profile: 'latest',
    });
    expect(metrics[0].name).toBe('myScore');
    expect(metrics[0].impl!.passthrough).toBe(myScore);
    expect(metrics[0].aggregation.builtin).toBeNull();
    expect(metrics[1].impl!.compute).toBe(kw);
    expect(metrics[1].higherIsBetter).toBeNull();
  });
  it('aggregationForKey: latest falls back to mean, 0.4.4 fails', () => {
    const { metrics } = resolveMetricList({ task: 't', outputType: 'multiple_choice', customProcessResults: true, profile: 'latest', metricList: [{ metric: 'acc' }] });
    expect(aggregationForKey(metrics, 'acc', 'latest').aggregation.name).toBe('mean');
    const r = aggregationForKey(metrics, 'acc_other', 'latest');
    expect(r.aggregation.name).toBe('mean');
    expect(r.warning).toMatch(/acc_other/);
    expect(() => aggregationForKey(metrics, 'acc_other', '0.4.4')).toThrow(/KeyError/);
  });
});

describe('exact_match (HF evaluate semantics)', () => {
  it('compares strings exactly by default', () => {
    expect(em(['Paris'], ['Paris'])).toBe(1);
    expect(em(['Paris '], ['Paris'])).toBe(0);
    expect(em(['a', 'b', 'c'], ['a', 'x', 'c'])).toBe(2 / 3);
    expect(exactMatchCompute({ predictions: ['x'], references: ['x'] }).exact_match).toBeInstanceOf(PyFloat);
  });
  it('applies regexes (Python syntax), then case, punctuation, digits — in that order', () => {
    const gsm = { ignore_case: true, ignore_punctuation: false, regexes_to_ignore: [',', '\\$', '(?s).*#### ', '\\.$'] };
    expect(em(['7'], ['12 - 5 = <<12-5=7>>7\n#### 7'], gsm)).toBe(1);
    expect(em(['1,000.'], ['$1000'], gsm)).toBe(1);
    expect(em(['The Answer!'], ['the answer'], { ignore_case: true, ignore_punctuation: true })).toBe(1);
    expect(em(['abc123'], ['ABC'], { ignore_case: true, ignore_numbers: true })).toBe(1);
    expect(em(['a-b'], ['ab'], { ignore_punctuation: true })).toBe(1);
    expect(em(['«a»'], ['a'], { ignore_punctuation: true })).toBe(0); // only ASCII punctuation
    // Unicode-aware \b as in Python
    expect(em(['Да!'], ['Да'], { regexes_to_ignore: ['\\b!'] })).toBe(1);
  });
  it('rejects unknown keyword arguments like Python', () => {
    expect(() => exactMatchCompute({ predictions: ['a'], references: ['a'], strip: true })).toThrow(TypeError);
  });
});
