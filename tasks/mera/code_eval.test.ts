/** ruHumanEval/ruCodeEval: generation clean-up, pass@k, and the sandboxed runner. */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { pyStr } from '@lm-eval/core/python';
import { RuHumanEvalScoring, checkSolution, computePassK, preprocessGeneration, process_results } from './code_eval.ts';
import { CONFIRM_UNSAFE_ENV, assertUnsafeCodeConfirmed, runPythonTests } from './code_runner.ts';

const hasPython = !spawnSync('python3', ['-c', 'pass']).error;
/**
 * Limits for tests whose code finishes: MERA's 3 s / 4 s include Python start-up and the
 * harness's `import numpy`, which a loaded 2-core machine can take longer than. The time-limit
 * tests below keep short limits (their code never finishes, so load cannot change the outcome).
 */
const LOADED_MACHINE = { defineTimeoutS: 60, overallTimeoutS: 120 };

describe('preprocessGeneration', () => {
  it('strips a ```python … ``` fence made of the first character', () => {
    expect(preprocessGeneration('```python\n    return 1\n```')).toBe('\n    return 1\n');
    expect(preprocessGeneration('~~~pythonX~~~')).toBe('X');
  });
  it('keeps generations starting with whitespace or without a closing fence', () => {
    expect(preprocessGeneration(' ```python\nx```')).toBe(' ```python\nx```');
    expect(preprocessGeneration('```python\nx')).toBe('```python\nx');
    expect(preprocessGeneration('')).toBe('');
  });
});

describe('pass@k', () => {
  it('matches NumPy: 1 - prod(1 - k / arange(n-c+1, n+1))', () => {
    expect(computePassK(10, 3, 1)).toBe(0.30000000000000004);
    expect(computePassK(10, 3, 5)).toBe(0.9166666666666666);
    expect(computePassK(10, 1, 5)).toBe(0.5);
    expect(pyStr(computePassK(10, 0, 10))).toBe('0.0');
    expect(pyStr(computePassK(10, 6, 5))).toBe('1.0'); // n - c < k
  });
  it('a generation passes when every str(expected) equals str(got)', () => {
    expect(checkSolution(['3', 'True'], ['3', 'True'])).toBe(1);
    expect(checkSolution(['3', 'None'], ['3', null])).toBe(1); // str(None)
    expect(checkSolution(['3'], 'timed out')).toBe(0);
    expect(checkSolution(['3'], [])).toBe(0);
    const r = process_results({ outputs: ['3'] }, [[['3'], ['4'], 'timed out', ['3'], ['3'], ['3'], ['3'], ['0'], ['3'], ['3']]]);
    expect(r['pass@1']).toBe(computePassK(10, 7, 1));
    expect(pyStr(r['pass@10'])).toBe('1.0');
    expect(pyStr(process_results({ outputs: [] }, [[]])['pass@5'])).toBe('0.0');
  });
});

describe('unsafe-code gate', () => {
  const saved = process.env[CONFIRM_UNSAFE_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[CONFIRM_UNSAFE_ENV];
    else process.env[CONFIRM_UNSAFE_ENV] = saved;
  });
  it('refuses without confirmation, naming the flag', () => {
    expect(() => assertUnsafeCodeConfirmed('ruhumaneval', {})).toThrow(/ruhumaneval/);
    delete process.env[CONFIRM_UNSAFE_ENV];
    expect(() => new RuHumanEvalScoring()).toThrow(/--confirm_run_unsafe_code|not allowed/);
    process.env[CONFIRM_UNSAFE_ENV] = '1';
    expect(() => new RuHumanEvalScoring()).not.toThrow();
  });
});

describe.skipIf(!hasPython)('sandboxed Python runner', () => {
  it('runs the tests and records str(result) or None', () => {
    const r = runPythonTests({ program: 'def f(a, b):\n    return a + b\n', tests: "[{'a': 1, 'b': 2}, {'a': 'x', 'b': 'y'}, {'a': 1, 'b': 'y'}]", entryPoint: 'f', ...LOADED_MACHINE });
    expect(r).toEqual(['3', 'xy', null]);
  });
  it('keeps MERA’s separate globals/locals: top-level names are invisible inside functions', () => {
    const r = runPythonTests({ program: 'import math\ndef f(a):\n    return math.sqrt(a)\n', tests: "[{'a': 4}]", entryPoint: 'f', ...LOADED_MACHINE });
    expect(r).toEqual([null]);
    // names of the harness module (np, List, …) are visible
    const np = runPythonTests({ program: 'def f(a):\n    return np.sum([a, a])\n', tests: "[{'a': 4}]", entryPoint: 'f', ...LOADED_MACHINE });
    expect(np).toEqual(['8']);
  });
  it('a definition running past the define limit gives None for every test', () => {
    const r = runPythonTests({ program: 'while True:\n    pass\n', tests: "[{'a': 1}, {'a': 2}]", entryPoint: 'f', defineTimeoutS: 0.5, overallTimeoutS: 3 });
    expect(r).toEqual([null, null]);
  });
  it('a process running past the overall limit is "timed out"', () => {
    const r = runPythonTests({ program: 'def f(a):\n    while True:\n        pass\n', tests: "[{'a': 1}]", entryPoint: 'f', defineTimeoutS: 0.5, overallTimeoutS: 1.5 });
    expect(r).toBe('timed out');
  });
  it('has no network and cannot spawn processes', () => {
    const net = runPythonTests({ program: 'def f(a):\n    import socket\n    return 1\n', tests: "[{'a': 1}]", entryPoint: 'f', ...LOADED_MACHINE });
    expect(net).toEqual([null]);
    const proc = runPythonTests({ program: 'def f(a):\n    import subprocess\n    return subprocess.run(["true"])\n', tests: "[{'a': 1}]", entryPoint: 'f', ...LOADED_MACHINE });
    expect(proc).toEqual([null]);
  });
  it('the filter runs every generation of every doc (in parallel, results in order)', async () => {
    const saved = process.env[CONFIRM_UNSAFE_ENV];
    process.env[CONFIRM_UNSAFE_ENV] = '1';
    const doc = { inputs: { function: 'def add(a, b):\n', tests: "[{'a': 1, 'b': 2}]" }, meta: { entry_point: 'add' } };
    const out = await new RuHumanEvalScoring().apply(
      [['    return a + b\n', '```python    return a - b\n```'], ['    while True: pass\n', '    return a * b\n']],
      [doc, doc],
    );
    expect(out).toEqual([[['3'], ['-1']], ['timed out', ['2']]]);
    if (saved === undefined) delete process.env[CONFIRM_UNSAFE_ENV];
    else process.env[CONFIRM_UNSAFE_ENV] = saved;
  });
});
