/**
 * Few-shot selection (lm_eval/api/samplers.py `ContextSampler.sample`: the evaluated doc excluded, the
 * RNG used across docs) and doc selection (lm_eval/api/task.py `Task.doc_iterator`,
 * lm_eval/evaluator_utils.py `get_sample_size`: --limit, the v0.4.4 limit bug, --samples), through the evaluator loop.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectShots } from '../src/prompt/context.ts';
import { DefaultSampler, FirstNSampler } from '../src/prompt/sampler.ts';
import { PyRandom } from '../src/python/random.ts';
import { evaluateTasks, selectDocs, type EvaluatorOptions } from '../src/evaluate/evaluator.ts';
import { runEvaluation } from '../src/evaluate/run-evaluation.ts';
import { LmEvalError } from '../src/errors.ts';
import type { Doc } from '../src/prompt/task-view.ts';
import { EchoLM, makeEvalTask, makeView, plainOptions } from './prompts-helpers.ts';

/** pool docs t0..t9 (answers "0".."9") */
const POOL: Doc[] = Array.from({ length: 10 }, (_, i) => ({ q: `t${i}`, a: String(i) }));
const ids = (docs: Doc[]) => docs.map((d) => Number(d.a));

const evalOptions = (over: Partial<EvaluatorOptions> = {}): EvaluatorOptions => ({
  applyChatTemplate: false,
  fewshotAsMultiturn: false,
  fewshotSeed: 1234,
  bootstrapIters: 0,
  logSamples: false,
  ...over,
});

function shots(opts: { exclude: boolean; k: number; evalDoc: Doc; pool?: Doc[]; firstN?: boolean; profile?: 'latest' | '0.4.4' }): Doc[] {
  const view = makeView({ profile: opts.profile ?? 'latest' });
  const pool = opts.pool ?? POOL;
  const cls = opts.firstN ? FirstNSampler : DefaultSampler;
  const sampler = new cls({ docs: pool, task: view, rnd: new PyRandom(1234) });
  return selectShots(
    opts.evalDoc,
    opts.k,
    pool,
    plainOptions({ numFewshot: opts.k, sampler, excludeEvalDoc: opts.exclude, samplerName: opts.firstN ? 'first_n' : 'default' }),
    view,
  );
}

describe('excluding the evaluated doc', () => {
  // Random(1234).sample(range(10), 2) == [7, 1]; sample(range(10), 3) == [7, 1, 0]
  it('without exclusion exactly n are drawn and the eval doc can be its own example', () => {
    expect(ids(shots({ exclude: false, k: 2, evalDoc: POOL[1] }))).toEqual([7, 1]);
  });

  it('with exclusion n + 1 are drawn, equal docs (deep equality) removed, first n kept', () => {
    expect(ids(shots({ exclude: true, k: 2, evalDoc: { q: 't1', a: '1' } }))).toEqual([7, 0]);
    // the eval doc not among the draws: the first n of the n + 1
    expect(ids(shots({ exclude: true, k: 2, evalDoc: { q: 'x', a: 'x' } }))).toEqual([7, 1]);
  });

  it('first_n + exclusion: latest filters the whole pool; v0.4.4 takes the first n + 1 then filters', () => {
    const dup: Doc[] = [POOL[0], { ...POOL[0] }, POOL[1], POOL[2]];
    expect(ids(shots({ exclude: true, k: 2, evalDoc: POOL[0], pool: dup, firstN: true }))).toEqual([1, 2]);
    expect(ids(shots({ exclude: true, k: 2, evalDoc: POOL[0], pool: dup, firstN: true, profile: '0.4.4' }))).toEqual([1]);
    expect(ids(shots({ exclude: false, k: 2, evalDoc: POOL[0], pool: dup, firstN: true }))).toEqual([0, 0]);
    // latest: fewer docs than n once the eval doc is removed -> error, as first_n asserts
    expect(() => shots({ exclude: true, k: 3, evalDoc: POOL[0], pool: dup, firstN: true })).toThrow(LmEvalError);
  });

  it('None == None: validation + training splits and no test_split/fewshot_split exclude the eval doc', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-excl-'));
    const data = path.join(dir, 'data');
    mkdirSync(data);
    // train[7] equals the evaluated doc
    const train = POOL.map((d, i) => (i === 7 ? { q: 'e0', a: 'E' } : d));
    writeFileSync(path.join(data, 'train.jsonl'), train.map((d) => JSON.stringify(d)).join('\n') + '\n');
    writeFileSync(path.join(data, 'val.jsonl'), JSON.stringify({ q: 'e0', a: 'E' }) + '\n');
    const common = [
      'dataset_path: json',
      `dataset_kwargs: {data_files: {train: ${JSON.stringify(path.join(data, 'train.jsonl'))}, validation: ${JSON.stringify(path.join(data, 'val.jsonl'))}}}`,
      'training_split: train',
      'output_type: generate_until',
      'doc_to_text: "Q: {{q}}\\nA:"',
      'doc_to_target: "{{a}}"',
      'num_fewshot: 2',
      'metric_list: [{metric: exact_match}]',
    ];
    writeFileSync(path.join(dir, 'a.yaml'), ['task: excl_none', 'validation_split: validation', ...common].join('\n') + '\n');
    writeFileSync(path.join(dir, 'b.yaml'), ['task: excl_off', 'test_split: validation', ...common].join('\n') + '\n');
    const out = await runEvaluation({ model: 'dummy', tasks: ['excl_none', 'excl_off'], includePath: [dir], logSamples: true, cwd: dir, profile: 'latest' });
    const prompt = (t: string) => (out.samples[t][0].arguments as Record<string, Record<string, unknown>>).gen_args_0.arg_0;
    // draws [7, 1, 0]; train[7] is the eval doc -> removed
    expect(prompt('excl_none')).toBe('Q: t1\nA: 1\n\nQ: t0\nA: 0\n\nQ: e0\nA:');
    // test_split (validation) != fewshot split (None): no exclusion, the doc is its own example
    expect(prompt('excl_off')).toBe('Q: e0\nA: E\n\nQ: t1\nA: 1\n\nQ: e0\nA:');
  });
});

describe('the sampler RNG is consumed across docs in doc order', () => {
  // Random(1234): sample(range(10), 2) twice -> [7, 1] then [0, 1]
  const task = (over: { exclude?: boolean } = {}) =>
    makeEvalTask({
      view: makeView({ outputType: 'generate_until' }),
      evalDocs: [{ q: 'e0' }, { q: 'e1' }, { q: 'e2' }],
      pool: POOL,
      numFewshot: 2,
      excludeEvalDoc: over.exclude ?? false,
    });
  const prompts = (lm: EchoLM) => lm.sent.map((s) => s.args[0]);

  it('second doc continues the RNG; --limit does not change the first docs', async () => {
    const lm = new EchoLM();
    await evaluateTasks([task()], lm, evalOptions());
    const all = prompts(lm);
    expect(all[0]).toBe('Question: t7\nAnswer: 7\n\nQuestion: t1\nAnswer: 1\n\nQuestion: e0\nAnswer:');
    expect(all[1]).toBe('Question: t0\nAnswer: 0\n\nQuestion: t1\nAnswer: 1\n\nQuestion: e1\nAnswer:');
    const limited = new EchoLM();
    await evaluateTasks([task()], limited, evalOptions({ limit: 2 }));
    expect(prompts(limited)).toEqual(all.slice(0, 2));
  });

  it('exclusion draws n + 1 per doc (the RNG advances further)', async () => {
    const lm = new EchoLM();
    await evaluateTasks([task({ exclude: true })], lm, evalOptions({ limit: 2 }));
    const rnd = new PyRandom(1234);
    const first = rnd.sample(POOL, 3) as Doc[];
    const second = rnd.sample(POOL, 3) as Doc[];
    const block = (ds: Doc[]) => ds.slice(0, 2).map((d) => `Question: ${d.q}\nAnswer: ${d.a}\n\n`).join('');
    expect(ids(first)).toEqual([7, 1, 0]);
    expect(prompts(lm)).toEqual([block(first) + 'Question: e0\nAnswer:', block(second) + 'Question: e1\nAnswer:']);
  });

  it('the same seed on every task: each task has its own RNG', async () => {
    const lm = new EchoLM();
    await evaluateTasks([makeEvalTask({ name: 'a', evalDocs: [{ q: 'x' }], pool: POOL, numFewshot: 2 }), makeEvalTask({ name: 'b', evalDocs: [{ q: 'x' }], pool: POOL, numFewshot: 2 })], lm, evalOptions());
    expect(prompts(lm)[0]).toBe(prompts(lm)[1]);
  });
});

describe('--limit', () => {
  const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ q: `d${i}` }));
  const sel = (n: number, limit: number | null) => selectDocs(makeEvalTask({ evalDocs: docs(n) }), { limit, samples: null }).map(([i]) => i);

  it('fraction -> ceil(len * L) first docs; >= 1 -> int(L)', () => {
    expect(sel(10, 0.25)).toEqual([0, 1, 2]);
    expect(sel(10, 0.3)).toEqual([0, 1, 2]);
    // float arithmetic as in Python: 100 * 0.07 == 7.000000000000001 -> ceil 8
    expect(sel(100, 0.07)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sel(10, 0.5)).toEqual([0, 1, 2, 3, 4]);
    expect(sel(10, 1.0)).toEqual([0]);
    expect(sel(10, 2.7)).toEqual([0, 1]);
    expect(sel(3, 50)).toEqual([0, 1, 2]);
    expect(sel(3, null)).toEqual([0, 1, 2]);
  });

  it('v0.4.4 bug: the first task\'s converted count is reused for later tasks', async () => {
    const a = makeEvalTask({ name: 'a', evalDocs: docs(10) });
    const b = makeEvalTask({ name: 'b', evalDocs: docs(40) });
    const buggy = await evaluateTasks([a, b], new EchoLM(), evalOptions({ limit: 0.5, profileLimitBug: true }));
    expect(buggy.map((o) => o.docIds.length)).toEqual([5, 5]);
    const fixed = await evaluateTasks([a, b], new EchoLM(), evalOptions({ limit: 0.5 }));
    expect(fixed.map((o) => o.docIds.length)).toEqual([5, 20]);
    // an integral limit is unaffected
    const whole = await evaluateTasks([a, b], new EchoLM(), evalOptions({ limit: 7, profileLimitBug: true }));
    expect(whole.map((o) => o.docIds.length)).toEqual([7, 7]);
  });
});

describe('--samples', () => {
  const task = makeEvalTask({ name: 'demo', evalDocs: Array.from({ length: 5 }, (_, i) => ({ q: `d${i}` })) });
  const pick = (ids: number[]) => selectDocs(task, { limit: null, samples: { demo: ids } }).map(([i, d]) => [i, d.q]);

  it('keeps listed docs in dataset order; doc_id = the listed index at the same position', () => {
    expect(pick([1, 3])).toEqual([
      [1, 'd1'],
      [3, 'd3'],
    ]);
    // unsorted list: docs still in dataset order, ids mislabelled (the lm-eval quirk)
    expect(pick([3, 1])).toEqual([
      [3, 'd1'],
      [1, 'd3'],
    ]);
  });

  it('a task not listed runs all its docs; an index out of range is an error', () => {
    expect(selectDocs(task, { limit: null, samples: { other: [0] } }).length).toBe(5);
    expect(() => pick([0, 5])).toThrow(LmEvalError);
  });

  it('logged doc_id in the evaluator follows the same rule', async () => {
    const [out] = await evaluateTasks([task], new EchoLM(), evalOptions({ samples: { demo: [4, 0] }, logSamples: true }));
    expect(out.samples.map((s) => [s.doc_id, (s.doc as Doc).q])).toEqual([
      [4, 'd0'],
      [0, 'd4'],
    ]);
  });
});
