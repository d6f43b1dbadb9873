/** USE scoring rules and aggregations, hand-computed. */
import { describe, expect, it } from 'vitest';
import { PyTuple, pyStr, tuple } from '@lm-eval/core/python';
import { getScore, matchingScore, multipleChoiceScore, overall_score, process_docs, process_results, task_score, textScore } from './utils.ts';

describe('USE process_docs', () => {
  it('appends doc_to_text_without_instruction built from meta.type', () => {
    const [d] = process_docs([{ instruction: 'x', inputs: { task: 'Т', text: 'текст', choices: '1) а', additional_text: 'р' }, outputs: '1', meta: { type: 'matching' } }]);
    expect(Object.keys(d).at(-1)).toBe('doc_to_text_without_instruction');
    expect(d.doc_to_text_without_instruction).toBe('Задание: Т\nТекст: текст\nРецензии: р\nСписок терминов:\n1) а\nОтвет:');
    const [t] = process_docs([{ inputs: { task: 'Т', text: 'текст' }, meta: { type: 'text' } }]);
    expect(t.doc_to_text_without_instruction).toBe('Задание: Т\nтекст\nОтвет:');
    expect(() => process_docs([{ inputs: {}, meta: { type: 'essay' } }])).toThrow(/meta.type/);
  });
});

describe('USE scores', () => {
  it('matching counts position-wise equal items (0 on a length mismatch)', () => {
    expect(matchingScore('1,2,3', '1,3,3')).toBe(2);
    expect(matchingScore('1,2,3', '1,2')).toBe(0);
  });
  it('text strips digits and non-word characters, lowercases, looks the result up', () => {
    expect(textScore('загорать,касаться', '1) Касаться.')).toBe(1);
    expect(textScore('загорать', 'загарать')).toBe(0);
  });
  it('multiple choice: set equality; task 16 partial credit', () => {
    expect(multipleChoiceScore('1,3', '3,1', false)).toBe(1);
    expect(multipleChoiceScore('1,3', '1', false)).toBe(0);
    expect(multipleChoiceScore('1,3,5', '1,3', true)).toBe(2); // padded [1,3,-1]: 2 - 3 + 3
    expect(multipleChoiceScore('1,3,5', '1,2,3,4', true)).toBe(1); // 2 - 4 + 3
    expect(multipleChoiceScore('1,3', '2,4,6,8', true)).toBe(0);
    expect(getScore('multiple_choice_independent_options', '16', '1,3,5', '1,3')).toBe(2);
    expect(getScore('multiple_choice_independent_options', 16, '1,3,5', '1,3')).toBe(0); // Python: 16 != "16"
  });
  it('process_results returns (score, variant, max) and (score, id_task, max)', () => {
    const r = process_results({ outputs: '1,3', meta: { id_task: '1', variant: 2, score: 1, type: 'multiple_choice_based_on_text' } }, ['3,1']);
    expect(r.grade_norm).toBeInstanceOf(PyTuple);
    expect(pyStr(r.grade_norm)).toBe('(1, 2, 1)');
    expect(pyStr(r['grade_norm.task1'])).toBe("(1, '1', 1)");
    const closed = process_results({ outputs: '', meta: { id_task: '8_0', variant: 1, score: 5, type: 'matching' } }, ['x']);
    expect(pyStr(closed['grade_norm.task8_0'])).toBe("(0.0, '8_0', 5)");
  });
  it('overall_score averages per-variant sums; task_score averages ratios', () => {
    expect(overall_score([tuple(1, 1, 1), tuple(0, 1, 1), tuple(2, 2, 5)])).toBe(0.45); // mean(1/2, 2/5)
    expect(task_score([tuple<unknown>(1, '1', 1), tuple<unknown>(2, '16', 5)])).toBe(0.7);
  });
});
