/**
 * ruHumanEval / ruCodeEval scoring (MERA's benchmark_tasks/ruhumaneval/utils.py and
 * rucodeeval/utils.py: `ruHumanEvalScoring`, `process_results`, `compute_pass_k`).
 *
 * - filter `ruhumanevalscoring`: for every generation of every doc, strip a surrounding
 *   ```` ```python … ``` ```` fence (any repeated first character, unless the generation starts with
 *   whitespace), run `inputs.function + generation` against `ast.literal_eval(inputs.tests)` in the
 *   sandboxed runner (code_runner.ts) and keep, per generation, the list of `str(result)`/None per
 *   test, or the string "timed out". Per doc the filtered value is the list over the repeats.
 * - `process_results`: a generation passes when every `str(expected[i]) == str(got[i])`;
 *   `pass@k = 1 − Π_{i=n−c+1..n} (1 − k/i)` (1.0 when `n − c < k`), n = number of generations;
 *   docs without `outputs` score 0.0.
 * The filter refuses to run unless the run confirmed unsafe code (code_runner.ts).
 */
import { LmEvalError, registerFilter, type Filter, type FilterDoc } from '@lm-eval/core';
import { pyFloat, pyRepr, pyStr, type PyFloat } from '@lm-eval/core/python';
import { assertUnsafeCodeConfirmed, runLimitedPerCpu, runPythonTests, runPythonTestsAsync, type CodeRunResult } from './code_runner.ts';

type Doc = Record<string, any>;

/** Removes a markdown fence `XXXpython … XXX` made of the generation's first character. */
export function preprocessGeneration(generation: string): string {
  const chars = [...generation];
  if (chars.length === 0) return generation;
  const first = chars[0];
  if (first === ' ' || first === '\n' || first === '\t') return generation;
  const begin = [...first.repeat(3), ...'python'];
  const end = [first, first, first];
  const startsWith = begin.every((c, i) => chars[i] === c);
  const endsWith = chars.length >= 3 && end.every((c, i) => chars[chars.length - 3 + i] === c);
  if (startsWith && endsWith) return chars.slice(begin.length, Math.max(begin.length, chars.length - end.length)).join('');
  return generation;
}

function codeRunOptions(generation: string, doc: Doc) {
  const inputs = doc.inputs ?? {};
  if (typeof inputs.function !== 'string' || typeof inputs.tests !== 'string') {
    throw new LmEvalError(`ruhumanevalscoring: doc needs string fields inputs.function and inputs.tests, got ${pyRepr(inputs)}`);
  }
  const entryPoint = doc.meta?.entry_point;
  if (typeof entryPoint !== 'string') throw new LmEvalError(`ruhumanevalscoring: doc needs meta.entry_point, got ${pyRepr(entryPoint)}`);
  return { program: inputs.function + generation, tests: inputs.tests as string, entryPoint };
}

/** Executes one generation for one doc. */
export function executeGeneration(generation: string, doc: Doc): CodeRunResult {
  return runPythonTests(codeRunOptions(generation, doc));
}

/** The `ruhumanevalscoring` filter. `task` only names the task in the refusal message. */
export class RuHumanEvalScoring implements Filter {
  constructor(_kwargs: Record<string, unknown> = {}, task = 'ruhumaneval/rucodeeval', confirmed = false) {
    assertUnsafeCodeConfirmed(task, process.env, confirmed);
  }
  /** Every generation runs in its own sandboxed process, several at a time (one per CPU). */
  async apply(resps: unknown[], docs: FilterDoc[]): Promise<unknown[]> {
    const shape: number[] = [];
    const jobs: Array<() => Promise<CodeRunResult>> = [];
    resps.forEach((inst, i) => {
      const generations = Array.isArray(inst) ? inst : [inst];
      shape.push(generations.length);
      for (const g of generations) {
        if (typeof g !== 'string') throw new LmEvalError(`ruhumanevalscoring: expected generated strings, got ${pyRepr(g)}`);
        const opts = codeRunOptions(preprocessGeneration(g), docs[i] as Doc);
        jobs.push(() => runPythonTestsAsync(opts));
      }
    });
    const flat = await runLimitedPerCpu(jobs);
    let k = 0;
    return shape.map((n) => flat.slice(k, (k += n)));
  }
}

/** Registers the filter name used by the task YAML (done when a task's utils module is imported). */
export function registerCodeScoringFilter(): void {
  registerFilter('ruhumanevalscoring', (kwargs, ctx) => new RuHumanEvalScoring(kwargs, undefined, ctx.confirmRunUnsafeCode === true));
}

/** Python `len()` / indexing of a str (code points) or a list. */
function asSequence(v: unknown): unknown[] {
  if (typeof v === 'string') return [...v];
  if (Array.isArray(v)) return v;
  throw new LmEvalError(`check_solution: expected a list of test results, got ${pyRepr(v)}`);
}

/** 1 when every expected value equals the produced one as strings, else 0. */
export function checkSolution(expected: unknown, produced: unknown): number {
  const pred = asSequence(produced);
  const gold = asSequence(expected);
  if (pred.length === 0 || gold.length !== pred.length) return 0;
  return gold.every((t, i) => pyStr(t) === pyStr(pred[i])) ? 1 : 0;
}

/** Unbiased pass@k estimator (NumPy product, left to right). */
export function computePassK(n: number, c: number, k: number): number | PyFloat {
  if (n - c < k) return pyFloat(1);
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) {
    const term = 1 - k / i;
    prod = i === n - c + 1 ? term : prod * term;
  }
  return pyFloat(1 - prod);
}

export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  const outputs = doc.outputs ?? [];
  if (asSequence(outputs).length === 0) return { 'pass@1': pyFloat(0), 'pass@5': pyFloat(0), 'pass@10': pyFloat(0) };
  const generations = results[0];
  if (!Array.isArray(generations)) throw new LmEvalError(`ruhumaneval process_results: expected the list of per-generation results, got ${pyRepr(generations)}`);
  const total = generations.length;
  const correct = generations.reduce<number>((s, g) => s + checkSolution(outputs, g), 0);
  return { 'pass@1': computePassK(total, correct, 1), 'pass@5': computePassK(total, correct, 5), 'pass@10': computePassK(total, correct, 10) };
}
