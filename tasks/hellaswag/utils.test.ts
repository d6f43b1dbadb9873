import { describe, expect, it } from 'vitest';
import { preprocess, process_docs } from './utils.ts';

const base = {
  ind: 4,
  activity_label: 'Cooking',
  ctx_a: 'A man cracks eggs into a bowl.',
  ctx_b: 'HE whisks',
  ctx: 'A man cracks eggs into a bowl. he whisks',
  endings: ['them quickly [title] Step two.', ' then  pours them [header] out. '],
  source_id: 'x',
  split: 'val',
  split_type: 'indomain',
  label: '1',
};

describe('hellaswag process_docs', () => {
  it('builds query, choices and gold after the existing columns', () => {
    const [d] = process_docs([base]);
    expect(Object.keys(d)).toEqual([...Object.keys(base), 'query', 'choices', 'gold']);
    // str.capitalize(): first character upper, the rest lower
    expect(d.query).toBe('Cooking: A man cracks eggs into a bowl. He whisks');
    expect(d.choices).toEqual(['them quickly. Step two.', 'then pours them out.']);
    expect(d.gold).toBe(1);
  });

  it('follows Python str.capitalize / str.strip on non-ASCII text', () => {
    // 'ß'.capitalize() == 'Ss' in Python; JS toUpperCase would give 'SS'
    expect(process_docs([{ ...base, ctx_b: 'ßtraße' }])[0].query).toBe('Cooking: A man cracks eggs into a bowl. Sstraße');
    // \x1c-\x1f and \x85 are whitespace for Python's str.strip()
    expect(preprocess('\x1c\x85text\x1f')).toBe('text');
  });

  it('rejects a label int() cannot parse (the unlabelled test split)', () => {
    expect(() => process_docs([{ ...base, label: '' }])).toThrow(/int\(\)/);
    expect(process_docs([{ ...base, label: ' 2 ' }])[0].gold).toBe(2);
  });
});
