import { describe, expect, it } from 'vitest';
import { tuple } from '@lm-eval/core';
import { process_results_mc2 } from './utils.ts';

const pairs = (lls: number[]) => lls.map((ll) => tuple<number | boolean>(ll, false));
const doc = (labels: number[]) => ({ question: 'q', mc2_targets: { choices: labels.map((_, i) => `c${i}`), labels } });

describe('truthfulqa process_results_mc2', () => {
  // expected values computed with the Python function (NumPy) on the same inputs
  it('returns the normalised probability mass of the true options', () => {
    expect(process_results_mc2(doc([1, 1, 0, 0]), pairs([-1.5, -0.25, -3.0, -2.0]))).toEqual({ acc: 0.8440488288001631 });
    expect(process_results_mc2(doc([1, 0, 0]), pairs([-4.6045, -8.3606, -2.6018]))).toEqual({ acc: 0.11859008393375381 });
    expect(process_results_mc2(doc([1, 1, 1, 0, 0]), pairs([-0.7, -1.2, -0.3, -2.2, -5.1]))).toEqual({ acc: 0.9293868489989985 });
  });

  it('splits at the first 0 label, like the Python code (an unsorted label list scores 0)', () => {
    expect(process_results_mc2(doc([0, 1]), pairs([-1, -2]))).toEqual({ acc: 0 });
  });

  it('raises when no option is false (Python ValueError)', () => {
    expect(() => process_results_mc2(doc([1, 1]), pairs([-1, -2]))).toThrow(/no 0/);
  });
});
