import { describe, expect, it } from 'vitest';
import { doc_to_choice, doc_to_target, doc_to_text, partial_context, partial_target } from './preprocess_winogrande.ts';

const doc = {
  sentence: 'Sarah lent her umbrella to Maria because _ was going out in the rain.',
  option1: 'Sarah',
  option2: 'Maria',
  answer: '2',
};

describe('winogrande helpers', () => {
  it('substitutes each option into the blank and cuts the sentence there', () => {
    expect(partial_context(doc, 'X')).toBe('Sarah lent her umbrella to Maria because X');
    expect(doc_to_choice(doc)).toEqual(['Sarah lent her umbrella to Maria because Sarah', 'Sarah lent her umbrella to Maria because Maria']);
  });

  it('the continuation is the stripped text after the blank (Python whitespace)', () => {
    expect(partial_target(doc)).toBe('was going out in the rain.');
    expect(doc_to_target({ ...doc, sentence: 'A _\u3000 b c\u00a0' })).toBe('b c');
  });

  it('the gold is an int index: "1" -> 0, "2" -> 1 (this makes the task multiple-input)', () => {
    expect(doc_to_text(doc)).toBe(1);
    expect(doc_to_text({ ...doc, answer: '1' })).toBe(0);
    expect(() => doc_to_text({ ...doc, answer: '' })).toThrow(/KeyError/);
    expect(() => doc_to_text({ ...doc, answer: 1 })).toThrow(/KeyError/);
  });

  it('uses the first blank and works with non-BMP text', () => {
    const d = { sentence: '😀 _ and _ end', option1: 'a', option2: 'b', answer: '1' };
    expect(doc_to_choice(d)).toEqual(['😀 a', '😀 b']);
    expect(doc_to_target(d)).toBe('and _ end');
    expect(() => doc_to_target({ sentence: 'no blank' })).toThrow(/blank/);
  });
});
