import { describe, expect, it } from 'vitest';
import { formatSummary, inTableOrder, summaryHeader } from './summary.ts';

describe('summaryHeader', () => {
  const request = { modelArgsRaw: 'pretrained=m,trust_remote_code=True', genKwargs: { temperature: 0 }, genKwargsRaw: 'temperature=0', limit: 10, numFewshot: 2, batchSize: 4 };
  it('[latest] model args and gen_kwargs as Python dicts, trust_remote_code and secrets left out', () => {
    expect(summaryHeader('hf', request, { pretrained: 'm', trust_remote_code: true, api_key: 'sk-secret' }, 'latest')).toBe(
      "hf ({'pretrained': 'm', 'api_key': '<redacted>'}), gen_kwargs: ({'temperature': 0}), limit: 10.0, num_fewshot: 2, batch_size: 4",
    );
  });
  it('[v0.4.4] as typed; unset values as None and batch size 1', () => {
    expect(summaryHeader('hf', { modelArgsRaw: 'pretrained=m' }, {}, '0.4.4')).toBe('hf (pretrained=m), gen_kwargs: (None), limit: None, num_fewshot: None, batch_size: 1');
  });
});

describe('inTableOrder', () => {
  it('lists root groups, their members (sorted, aliases indented), then other tasks sorted', () => {
    const results = { results: { z: { alias: 'z' }, b: { alias: 'B' }, a: { alias: 'a' }, grp: { alias: 'Group' }, sub: { alias: 'sub' } } };
    const groups = new Map([
      ['grp', { children: ['sub', 'b'], parent: null }],
      ['sub', { children: ['a'], parent: 'grp' }],
    ]);
    const ordered = inTableOrder(results, groups);
    expect(Object.entries(ordered).map(([k, v]) => [k, (v as { alias: string }).alias])).toEqual([
      ['grp', 'Group'],
      ['b', ' - B'],
      ['sub', ' - sub'],
      ['a', '  - a'],
      ['z', 'z'],
    ]);
  });
});

describe('formatSummary', () => {
  it('adds the groups table when there are groups', () => {
    const results = {
      results: { t: { alias: 't', 'acc,none': 0.5, 'acc_stderr,none': 'N/A' } },
      groups: { g: { alias: 'g', 'acc,none': 0.5, 'acc_stderr,none': 'N/A' } },
      versions: { t: 1, g: 1 },
      'n-shot': { t: 0 },
      higher_is_better: { t: { acc: true } },
    };
    const text = formatSummary('HEADER', results, new Map(), '0.4.4');
    expect(text.startsWith('HEADER\n|Tasks|')).toBe(true);
    expect(text.split('\n\n')[1]).toMatch(/^\|Groups\|/);
  });
});
