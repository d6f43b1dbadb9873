import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../errors.ts';
import { PyFloat } from '../python/values.ts';
import {
  aggregateGroup,
  aggregateSubtaskMetrics,
  groupEntry,
  groupFilters,
  groupNShot,
  groupVersion,
  mergeHigherIsBetter,
  pooledSampleStderr,
  type LeafResult,
} from './group-aggregate.ts';

const V = JSON.parse(readFileSync(new URL('./aggregations/testdata/python-vectors.json', import.meta.url), 'utf8'));
const val = (x: unknown) => (x instanceof PyFloat ? x.value : x);

const leaves: LeafResult[] = [
  { name: 'a', sampleLen: 100, results: { 'acc,none': 0.25, 'acc_stderr,none': 0.0123, 'acc,strict': 0.5, 'acc_stderr,strict': 'N/A' } },
  { name: 'b', sampleLen: 20, results: { 'acc,none': 0.3, 'acc_stderr,none': 0.05 } },
  { name: 'c', sampleLen: 3, results: { 'acc,none': 0.6666666666666666, 'acc_stderr,none': 0.3333333333333333, 'f1,none': 0.5 } },
];

describe('formulas (CPython reference values)', () => {
  it('weighted / unweighted mean and pooled stderr', () => {
    expect(aggregateSubtaskMetrics([0.25, 0.3, 0.6666666666666666], [100, 20, 3], true)).toBe(V.agg_w);
    expect(aggregateSubtaskMetrics([0.25, 0.3, 0.6666666666666666], [100, 20, 3], false)).toBe(V.agg_u);
    expect(pooledSampleStderr([0.0123, 0.05, 0.3333333333333333], [100, 20, 3])).toBe(V.pooled);
  });
});

describe('aggregateGroup', () => {
  it('[latest] weights by size, pools stderrs, sums sizes; filters found in the leaves, sorted', () => {
    const g = aggregateGroup('grp', [{ metric: 'acc' }], leaves, 'latest');
    expect(g.metrics.map(([k, v]) => [k, val(v)])).toEqual([
      ['acc,none', V.agg_w],
      ['acc_stderr,none', V.pooled],
      ['acc,strict', 0.5],
      ['acc_stderr,strict', 'N/A'],
    ]);
    expect(g.sampleLen).toBe(123);
    expect(g.sampleCount).toEqual({ 'acc,none': 123, 'acc,strict': 100 });
    expect(g.warnings.some((w) => w.includes("'acc,strict'"))).toBe(true);
  });
  it('[v0.4.4] unweighted by default and only the "none" filter', () => {
    const g = aggregateGroup('grp', [{ metric: 'acc' }], leaves, '0.4.4');
    expect(g.metrics.map(([k, v]) => [k, val(v)])).toEqual([
      ['acc,none', V.agg_u],
      ['acc_stderr,none', V.pooled], // real sizes even when not weighting
    ]);
  });
  it('explicit filter list, weight_by_size override, missing stderr → "N/A"', () => {
    const ls: LeafResult[] = [
      { name: 'x', sampleLen: 4, results: { 'acc,f': 1 } },
      { name: 'y', sampleLen: 4, results: { 'acc,f': 0, 'acc_stderr,f': 0.1 } },
    ];
    const g = aggregateGroup('g', [{ metric: 'acc', filter_list: 'f', weight_by_size: false }], ls, 'latest');
    expect(g.metrics.map(([k, v]) => [k, val(v)])).toEqual([
      ['acc,f', 0.5],
      ['acc_stderr,f', 'N/A'],
    ]);
    expect(g.metrics[0][1]).toBe(0.5); // a plain number is a float when not integral; 1.0 is wrapped
    const h = aggregateGroup('g', [{ metric: 'acc', filter_list: ['f'] }], [ls[0], ls[0]], 'latest');
    expect(h.metrics[0][1]).toEqual(new PyFloat(1));
  });
  it('custom aggregation function and invalid aggregation names', () => {
    const g = aggregateGroup('g', [{ metric: 'acc', aggregation: (v: number[]) => Math.max(...v) }], leaves, 'latest');
    expect(g.metrics[0]).toEqual(['acc,none', 0.6666666666666666]);
    expect(() => aggregateGroup('g', [{ metric: 'acc', aggregation: 'median' }], leaves, 'latest')).toThrow(LmEvalError);
  });
  it('skips metrics no leaf has (with a warning)', () => {
    const g = aggregateGroup('g', [{ metric: 'em', filter_list: ['none'] }], leaves, 'latest');
    expect(g.metrics).toEqual([]);
    expect(g.warnings[0]).toMatch(/no subtask has metric 'em,none'/);
  });
  it('groupFilters', () => {
    expect(groupFilters({ metric: 'f1' }, leaves, 'latest')).toEqual(['none']);
    expect(groupFilters({ metric: 'acc', filter_list: null }, leaves, '0.4.4')).toEqual(['none']);
  });
});

describe('group entry, versions, higher_is_better, n-shot', () => {
  it('entry key order per profile', () => {
    const agg = aggregateGroup('grp', [{ metric: 'acc', filter_list: 'none' }], leaves, 'latest');
    expect(Object.keys(groupEntry('grp', null, agg, 'latest'))).toEqual(['alias', 'name', 'sample_len', 'acc,none', 'acc_stderr,none', 'sample_count']);
    expect(groupEntry('grp', 'Group', null, 'latest')).toEqual({ alias: 'Group', name: 'grp' });
    expect(Object.keys(groupEntry('grp', null, agg, '0.4.4'))).toEqual(['acc,none', 'acc_stderr,none', 'alias']);
    expect(groupEntry('grp', null, null, '0.4.4')).toEqual({ ' ': ' ', alias: 'grp' });
  });
  it('versions: [latest] str(version) or "N/A"; [v0.4.4] raw or null', () => {
    expect(groupVersion({ version: 2 }, 'latest')).toBe('2');
    expect(groupVersion({ version: new PyFloat(1) }, 'latest')).toBe('1.0');
    expect(groupVersion(null, 'latest')).toBe('N/A');
    expect(groupVersion({ version: new PyFloat(1) }, '0.4.4')).toEqual(new PyFloat(1));
    expect(groupVersion({}, '0.4.4')).toBeNull();
  });
  it('higher_is_better union; conflicts become null', () => {
    const { merged, warnings } = mergeHigherIsBetter('g', [{ acc: true, ppl: false }, { acc: true, ppl: true, f1: true }, { ppl: false }]);
    expect(merged).toEqual({ acc: true, ppl: null, f1: true });
    expect(warnings).toHaveLength(1);
  });
  it('n-shot only when all children agree', () => {
    expect(groupNShot([0, 0])).toBe(0);
    expect(groupNShot([0, 5])).toBeUndefined();
  });
});
