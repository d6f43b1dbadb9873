/**
 * The MMLU-Pro port against values printed by lm-eval's Python helpers
 * (`lm_eval/tasks/mmlu_pro/utils.py`) for documents written here.
 */
import { describe, expect, it } from 'vitest';
import { doc_to_text, fewshot_to_target, fewshot_to_text, process_computer_science, process_math } from './mmlu_pro.ts';

const doc = { question: 'What is 2+2?', options: [' 4 ', '5\u3000', 'six\t'], cot_content: "A: Let's think step by step. 2+2=4. The answer is (A).", category: 'math' };

describe('mmlu_pro helpers', () => {
  it('prompt and few-shot target as Python prints them', () => {
    const text = "Question:\nWhat is 2+2?\nOptions:\nA. 4\nB. 5\nC. six\nAnswer: Let's think step by step.";
    expect(doc_to_text(doc)).toBe(text);
    expect(fewshot_to_text(doc)).toBe(text);
    expect(fewshot_to_target(doc)).toBe('2+2=4. The answer is (A).');
  });

  it('at most ten options are lettered', () => {
    const many = { ...doc, options: Array.from({ length: 12 }, (_, i) => String(i)) };
    expect(doc_to_text(many)).toBe("Question:\nWhat is 2+2?\nOptions:\nA. 0\nB. 1\nC. 2\nD. 3\nE. 4\nF. 5\nG. 6\nH. 7\nI. 8\nJ. 9\nAnswer: Let's think step by step.");
  });

  it('process_<subject> keeps the docs of that category', () => {
    const docs = [doc, { ...doc, category: 'computer science' }, { ...doc, category: 'Math' }];
    expect(process_math(docs)).toEqual([doc]);
    expect(process_computer_science(docs)).toEqual([docs[1]]);
  });
});
