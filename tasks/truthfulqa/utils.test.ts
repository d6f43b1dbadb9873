import { describe, expect, it } from 'vitest';
import { pyRepr, tuple } from '@lm-eval/core/python';
import { process_results_mc2, process_results_mc2_v3 } from './utils.ts';

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

// values printed by lm-eval's Python helper of March 2025 (NumPy float64 repr) for log-likelihoods written here
const V3_CASES: Array<{ lls: number[]; labels: number[]; acc: string }> = [
    {"lls": [-0.13436424411240122, -1.2753451286971085], "labels": [1, 1], "acc": "1.0"},
    {"lls": [-0.6074379962852603, -3.4791643338422173], "labels": [1, 0], "acc": "0.946430939783199"},
    {"lls": [-5.1455128553315586, -0.6229628138905298, -1.8898441717180403, -2.970760883188638, -3.3707650712343207, -2.9570465607240286, -3.1327266852454594, -11.70181616307929], "labels": [1, 0, 1, 1, 1, 0, 0, 0], "acc": "0.27736287071426247"},
    {"lls": [-0.7937325083738559, -0.015181052589951283, -26.28922298509133, -0.2855984331944622, -0.25416866041704156, -2.314446369266281, -0.9060843513491861, -16.109418212067727, -0.8406240353653226, -0.9333806207298506, -0.43250991471884925, -0.8286866917450819, -0.6515586653580613, -0.6867713765586763, -3.315080942493467, -1.6490249198326101, -29.087844251061096], "labels": [0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0], "acc": "0.3789067135513346"},
    {"lls": [-2.678809908550136, -0.3010952092581941, -18.981882177890412, -3.9937178166074405, -0.5085281141837572, -1.2029074585073891, -0.27449387718704954, -1.2520606644016852, -4.724168201168863, -2.3661703663346634, -21.266183205787875, -11.204329595508005, -4.887361621268054, -16.34258141118743, -15.220645819140055, -0.15206831019541844, -0.4454869827807867, -4.673183278965999, -0.14192653951509626, -2.420357422589874, -1.8254557210427658, -0.7988389639409099, -4.165650957812279, -3.535793418445791, -0.725717778122269, -20.00637904263026, -0.6036840226733041, -0.5372792702342215, -27.590435031479576, -3.977321545669362], "labels": [0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], "acc": "0.5762698476085137"},
];

describe('truthfulqa process_results_mc2, 2025 version (NumPy normalisation, labels by mask)', () => {
  it('equals NumPy bit for bit, for 2 to 30 options', () => {
    for (const c of V3_CASES) {
      const out = process_results_mc2_v3({ mc2_targets: { labels: c.labels } }, c.lls.map((x) => tuple<unknown>(x, false)));
      expect(pyRepr(out.acc)).toBe(c.acc);
    }
  });
});
