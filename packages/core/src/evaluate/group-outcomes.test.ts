import { describe, expect, it } from 'vitest';
import { PyFloat } from '../python/values.ts';
import type { TaskOutcome } from './evaluator.ts';
import { aggregateGroups } from './group-outcomes.ts';

const val = (x: unknown) => (x instanceof PyFloat ? x.value : x);

function outcome(name: string, acc: number, sampleLen: number, hib: Record<string, boolean | null> = { acc: true }, nShot: unknown = 0): TaskOutcome {
  return {
    task: { name, higherIsBetter: hib, nShot },
    metrics: [['acc,none', acc], ['acc_stderr,none', 'N/A']],
    sampleLen,
  } as unknown as TaskOutcome;
}

function group(name: string, children: string[], parent: string | null, config: Record<string, unknown> = {}) {
  return [name, { name, children, parent, config: { group_alias: null, aggregate_metric_list: [{ metric: 'acc', weight_by_size: true }], metadata: { version: 2 }, ...config } as never }] as const;
}

// outer ⊃ {inner ⊃ {a, b}, c}
const groups = new Map([group('outer', ['inner', 'c'], null), group('inner', ['a', 'b'], 'outer', { group_alias: 'Inner' })]);
const outcomes = [outcome('a', 0.5, 2), outcome('b', 1, 6), outcome('c', 0, 8, { acc: false }, 5)];

describe('aggregateGroups', () => {
  it('aggregates each group over all tasks under it, parents listed first', async () => {
    const warnings: string[] = [];
    const res = await aggregateGroups(groups, outcomes, new Set(), 'latest', (w) => warnings.push(w));
    expect(res.map((g) => g.name)).toEqual(['outer', 'inner']);
    const [outer, inner] = res;
    expect(val(inner.entry?.['acc,none'])).toBe((0.5 * 2 + 1 * 6) / 8);
    expect(inner.entry).toMatchObject({ alias: 'Inner', name: 'inner', sample_len: 8, sample_count: { 'acc,none': 8 } });
    // the outer group's leaves are a, b and c (through inner), weighted by size
    expect(val(outer.entry?.['acc,none'])).toBe((0.5 * 2 + 1 * 6 + 0 * 8) / 16);
    expect(outer.entry?.['acc_stderr,none']).toBe('N/A');
    expect(inner.version).toBe('2');
    // children disagree on acc's direction: null, with lm-eval's warning
    expect(inner.higherIsBetter).toEqual({ acc: true });
    expect(outer.higherIsBetter).toEqual({ acc: null });
    expect(warnings).toEqual(['Higher_is_better values for metric acc in group outer are not consistent. Defaulting to None.']);
    // n-shot: common to the children, else none
    expect(inner.nShot).toBe(0);
    expect(outer.nShot).toBeUndefined();
  });

  it('gives no outcome to a group with an unfinished task under it', async () => {
    const res = await aggregateGroups(groups, outcomes.slice(0, 2), new Set(['c']), 'latest', () => {});
    expect(res.map((g) => g.name)).toEqual(['inner']);
  });

  it('a group without aggregate_metric_list has no entry; [v0.4.4] no n-shot and the raw version', async () => {
    const plain = new Map([group('g', ['a'], null, { aggregate_metric_list: null, metadata: null })]);
    const [g] = await aggregateGroups(plain, outcomes, new Set(), '0.4.4', () => {});
    expect(g).toMatchObject({ name: 'g', alias: 'g', entry: null, version: null, nShot: undefined, children: ['a'] });
  });
});
