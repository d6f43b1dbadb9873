/**
 * Python `class:` tasks through the helper worker (evaluate/python-class-task.ts): with an
 * importable `lm_eval` (here a stand-in written for the tests, fixtures/pyclass/lm_eval) the
 * task object is built by the class, its data come from our loader, and its few-shot contexts,
 * requests, filters, process_results, aggregation and higher_is_better are lm-eval's calls on
 * that object; a YAML task's Python sampler class (fewshot_config.sampler) draws its few-shot
 * examples. Without `lm_eval` the run stops with one line naming the task and what to do.
 * A last test drives the same task through the REAL lm-eval source when LM_EVAL_SOURCE names a
 * checkout whose `lm_eval.api.task` imports in this Python (skipped, with the failing import, otherwise).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runEvaluation, type EvaluationRequest } from '../src/engine.ts';
import { parsePyJson } from '../src/python/index.ts';
import { dummyGenerate, dummyLoglikelihood } from '../src/model/dummy.ts';
import { closePythonHelpers } from '../src/pyfn/index.ts';
import { PyRandom } from '../src/python/random.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/pyclass');
const TASKS = path.join(FIXTURE, 'tasks');
const WORKER_SHIM = path.resolve(here, '../worker/shim');
const python = process.env.LM_EVAL_PYTHON || 'python3';
const probe = spawnSync(python, ['-c', 'print(1)'], { encoding: 'utf8' });
const skip = probe.status !== 0 ? `${python} is needed: ${probe.error?.message ?? probe.stderr.trim()}` : null;
if (skip) console.log(`[python class tasks] SKIPPED: ${skip}`);

function request(env: NodeJS.ProcessEnv, extra: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return {
    includePath: [TASKS],
    model: 'dummy',
    modelArgs: {},
    tasks: ['py_class_qa'],
    numFewshot: 2,
    limit: 4,
    logSamples: true,
    seeds: { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 },
    outputPath: mkdtempSync(path.join(os.tmpdir(), 'pyclass-')),
    env,
    environment: { defaultDevice: 'cuda:0' },
    ...extra,
  };
}

/** What the stand-in's own objects give for the first `n` docs: lm-eval's build_all_requests loop, run in Python. */
function expectedContexts(pythonPath: string, n: number): string[] {
  const script = `
import json, sys
import datasets
sys.path.insert(0, ${JSON.stringify(path.join(TASKS, 'py_class_qa'))})
def load_dataset(path=None, name=None, **kw):
    rows = lambda s: [json.loads(l) for l in open(${JSON.stringify(path.join(TASKS, 'py_class_qa', 'py_class_qa_data'))} + '/' + s + '.jsonl', encoding='utf-8')]
    return datasets.DatasetDict({s: datasets.Dataset.from_list(rows(s)) for s in ('train', 'validation')})
datasets.load_dataset = load_dataset
import task as t
obj = t.ClassQA(config={'task': 'py_class_qa'})
obj.set_config(key='num_fewshot', value=2)
obj.set_fewshot_seed(seed=1234)
docs = list(obj.eval_docs)
print(json.dumps([obj.fewshot_context(d, 2, system_instruction=None, apply_chat_template=False, fewshot_as_multiturn=False, chat_template=None, gen_prefix=obj.doc_to_prefix(d)) for d in docs[:${n}]]))
`;
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pythonPath } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

function samplesOf(files: string[]): Array<Record<string, any>> {
  const f = files.find((x) => path.basename(x).startsWith('samples_py_class_qa'))!;
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => parsePyJson(l) as Record<string, any>);
}

/** Runs the fixture task with `lmEvalDir` (a folder holding an `lm_eval` package) on the worker's path and checks everything against the class's own answers. */
async function runAndCheck(lmEvalDir: string): Promise<void> {
  const pythonPath = [lmEvalDir, WORKER_SHIM, path.dirname(WORKER_SHIM)].join(path.delimiter);
  const saved = process.env.PYTHONPATH;
  process.env.PYTHONPATH = lmEvalDir;
  let out;
  try {
  out = await runEvaluation(request({ ...process.env, HF_HUB_OFFLINE: '1' }));
  } finally {
  if (saved === undefined) delete process.env.PYTHONPATH;
  else process.env.PYTHONPATH = saved;
  }
  const samples = samplesOf(out.files);
  expect(samples.map((s) => s.doc_id)).toEqual([0, 1, 2, 3]);
  const contexts = expectedContexts(pythonPath, 4);
  const exact: number[] = [];
  const logprobs: number[] = [];
  let greedy = 0;
  samples.forEach((s, d) => {
    // two requests per doc, as construct_requests makes them; the context is the class's fewshot_context
    expect(s.arguments.gen_args_0.arg_0).toBe(contexts[d]);
    expect(s.arguments.gen_args_0.arg_1).toEqual({ until: ['\n'], max_gen_toks: 16 });
    expect(s.arguments.gen_args_1).toEqual({ arg_0: contexts[d], arg_1: ' unknown' });
    expect(s.target).toBe(' ' + s.doc.answers[0]);
    const gen = dummyGenerate(contexts[d], { until: ['\n'] });
    const [ll, isGreedy] = dummyLoglikelihood(contexts[d], ' unknown');
    expect(s.filtered_resps[0]).toBe(gen);
    exact.push(s.doc.answers.includes(gen.trim()) ? 1 : 0);
    logprobs.push(ll);
    if (isGreedy) greedy++;
    // values from process_results keep their Python types: an int, a float, a tuple (logged as a list)
    expect(s.exact).toBe(exact[d]);
    expect(s.logprob_unknown).toBe(ll);
    expect(s.greedy).toEqual([isGreedy, d]);
  });
  // the docs crossed unchanged (2.0 stays a float)
  expect(readFileSync(out.files.find((x) => path.basename(x).startsWith('samples_'))!, 'utf8')).toContain('"weight": 2.0');
  const res = (out.results as any).results.py_class_qa;
  const mean = exact.reduce((a, b) => a + b, 0) / 4;
  expect(res['exact,none']).toBeCloseTo(mean, 12);
  // lm_eval.api.metrics.mean: lm-eval's stderr for mean; the class's own functions: none
  const sd = Math.sqrt(exact.reduce((a, x) => a + (x - mean) ** 2, 0) / 3 / 4);
  expect(res['exact_stderr,none']).toBeCloseTo(sd, 12);
  expect(res['logprob_unknown,none']).toBe([...logprobs].sort((a, b) => a - b)[2]);
  expect(res['logprob_unknown_stderr,none']).toBe('N/A');
  expect(Number(res['greedy,none'])).toBe(greedy);
  const r = out.results as any;
  expect(r.versions.py_class_qa).toBe(2);
  expect(r['n-shot'].py_class_qa).toBe(2);
  expect(r.higher_is_better.py_class_qa).toEqual({ exact: true, logprob_unknown: false, greedy: true });
  expect(r.configs.py_class_qa).toMatchObject({ task: 'py_class_qa', num_fewshot: 2, metadata: { version: 2 } });
  expect(r['n-samples'].py_class_qa).toEqual({ original: 8, effective: 4 });
}

/** A checkout of the real lm-eval (LM_EVAL_SOURCE), when its task API imports in this Python. */
const realSource = process.env.LM_EVAL_SOURCE;
let realSkip: string | null = realSource ? null : 'set LM_EVAL_SOURCE to a checkout of lm-evaluation-harness to run it';
if (realSource && !skip) {
  const r = spawnSync(python, ['-c', 'import lm_eval.api.task, lm_eval.api.instance, lm_eval.api.metrics'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: [realSource, WORKER_SHIM, path.dirname(WORKER_SHIM)].join(path.delimiter) },
  });
  if (r.status !== 0) realSkip = `the real lm_eval in ${realSource} does not import in ${python}: ${r.stderr.trim().split('\n').pop()}`;
}
if (realSkip) console.log(`[python class tasks, real lm-eval] SKIPPED: ${realSkip}`);

describe.skipIf(skip !== null)('Python class tasks', () => {
  afterEach(() => closePythonHelpers());

  it('run through the worker when lm_eval is importable: prompts, requests, scores and results come from the class', async () => {
    await runAndCheck(FIXTURE);
  });

  it.skipIf(realSkip !== null)('run through the real lm-eval package', async () => {
    await runAndCheck(realSource!);
  });

  it('a Python sampler class (fewshot_config.sampler) draws the few-shot examples of a YAML task', async () => {
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = FIXTURE;
    let out;
    try {
      out = await runEvaluation(request({ ...process.env, HF_HUB_OFFLINE: '1' }, { tasks: ['py_sampler_qa'] }));
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
    const f = out.files.find((x) => path.basename(x).startsWith('samples_py_sampler_qa'))!;
    const samples = readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => parsePyJson(l) as Record<string, any>);
    const read = (split: string) =>
      readFileSync(path.join(TASKS, 'py_class_qa/py_class_qa_data', `${split}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const train = read('train');
    // the sampler's generator is the task's few-shot generator (seed 1234), drawn doc after doc
    const rnd = new PyRandom(1234);
    expect(samples).toHaveLength(4);
    samples.forEach((s, d) => {
      // no fewshot_split and no test_split: lm-eval passes eval_doc (None == None), so the sampler draws 3 and drops the evaluated doc
      const shots = (rnd.sample(train, 3).slice(0, 2) as Array<{ id: number; question: string; answers: string[] }>).sort((a, b) => b.id - a.id);
      const expected = shots.map((x) => `Q: ${x.question}\nA: ${x.answers[0]}`).join('\n\n') + `\n\nQ: ${s.doc.question}\nA:`;
      expect(s.arguments.gen_args_0.arg_0, `doc ${d}`).toBe(expected);
    });
  });

  it('stop with one line naming the task and what to do when lm_eval is not importable', async () => {
    await expect(runEvaluation(request({ ...process.env, HF_HUB_OFFLINE: '1' }))).rejects.toThrow(
      /task 'py_class_qa' \(.*py_class_qa\.yaml: class: !function task\.ClassQA\) is a Python class task: it needs the Python lm_eval package/,
    );
    await expect(runEvaluation(request({ ...process.env, HF_HUB_OFFLINE: '1' }, { tasks: ['py_sampler_qa'] }))).rejects.toThrow(
      /task 'py_sampler_qa' \(.*py_sampler_qa\.yaml\): fewshot_config\.sampler is the Python class utils\.NewestFirstSampler, which needs the Python lm_eval package/,
    );
  });
});

describe.skipIf(skip !== null)('!function inside dataset_kwargs', () => {
  afterEach(() => closePythonHelpers());

  it('reaches a Python custom_dataset as the function itself; refused by name on the way to the data loader', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dkw-')), 'dkw');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'utils.py'),
      'def make_rows(n):\n    return [{"q": f"q{i}", "a": str(i)} for i in range(n)]\n\n\ndef custom(**kwargs):\n    return {"test": kwargs["maker"](kwargs["n"])}\n',
    );
    const common = 'test_split: test\noutput_type: generate_until\ndoc_to_text: "{{q}}"\ndoc_to_target: "{{a}}"\nmetric_list:\n  - metric: exact_match\n';
    writeFileSync(path.join(dir, 'custom.yaml'), `task: dkw_custom\ncustom_dataset: !function utils.custom\ndataset_kwargs:\n  maker: !function utils.make_rows\n  n: 3\n${common}`);
    writeFileSync(path.join(dir, 'loader.yaml'), `task: dkw_loader\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: !function utils.make_rows\n${common}`);
    const out = await runEvaluation(request({ ...process.env, HF_HUB_OFFLINE: '1' }, { includePath: [dir], tasks: ['dkw_custom'], numFewshot: 0, limit: null }));
    const f = out.files.find((x) => path.basename(x).startsWith('samples_dkw_custom'))!;
    const docs = readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => (parsePyJson(l) as { doc: unknown }).doc);
    expect(docs).toEqual([0, 1, 2].map((i) => ({ q: `q${i}`, a: String(i) })));
    await expect(runEvaluation(request({ ...process.env, HF_HUB_OFFLINE: '1' }, { includePath: [dir], tasks: ['dkw_loader'], numFewshot: 0 }))).rejects.toThrow(
      /task 'dkw_loader': dataset_kwargs\.data_files\.test is a !function; lm-eval passes the function itself to datasets\.load_dataset/,
    );
  });
});
