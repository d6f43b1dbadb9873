import { describe, expect, it } from 'vitest';
import { PyFloat } from '../python/values.ts';
import { buildTaskConfig, type TaskConfig } from '../task/config.ts';
import type { ResolvedTask } from '../task/group.ts';
import { checkPoolSize, fewshotPool, fewshotSplitOf } from './fewshot-setup.ts';
import { prepareTask } from './prepare-task.ts';
import { docSource } from './task-docs.ts';
import { mergedGenerationKwargs, numFewshotOf, withRunOverrides } from './task-overrides.ts';

const rows = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ q: `${prefix}${i}`, a: `A${i}` }));
const data = () => ({ test: rows(3, 'test'), train: rows(5, 'train') });

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function resolvedTask(extra: Record<string, unknown> = {}): ResolvedTask {
  const raw = { task: 'demo', custom_dataset: data, test_split: 'test', training_split: 'train', output_type: 'generate_until', doc_to_text: '{{q}}', doc_to_target: '{{a}}', num_fewshot: 2, ...extra };
  const config = buildTaskConfig(raw, { profile: 'latest', source: 'inline' });
  return deepFreeze({ name: 'demo', config, raw, yamlPath: null, profile: 'latest', parent: null });
}

describe('prepareTask', () => {
  it('applies the run overrides to a copy: the loaded config (frozen here) is not changed', async () => {
    const resolved = resolvedTask();
    const before = JSON.stringify(resolved.config);
    const task = await prepareTask(resolved, { runProfile: 'latest', numFewshot: 1, genKwargs: { temperature: 0 }, predictOnly: true, confirmRunUnsafeCode: false });
    expect(JSON.stringify(resolved.config)).toBe(before);
    expect(task.numFewshot).toBe(1);
    expect(task.configDump).toMatchObject({ num_fewshot: 1, metric_list: [{ metric: 'bypass' }], process_results: 'process_results' });
    expect(task.view.config.num_fewshot).toBe(1);
    expect(task.generationKwargs?.temperature).toEqual(new PyFloat(0));
    expect(task.evalDocs.map((d) => d.q)).toEqual(['test0', 'test1', 'test2']);
    expect(task.fewshotPool()).toHaveLength(5);
  });

  it('refuses unsafe tasks without confirmation and a non-integer repeat_seed', async () => {
    const opts = { runProfile: 'latest' as const, predictOnly: false, confirmRunUnsafeCode: false };
    await expect(prepareTask(resolvedTask({ unsafe_code: true }), opts)).rejects.toThrow("task 'demo' executes model-generated code");
    await expect(prepareTask(resolvedTask({ metadata: { repeat_seed: 1.5 } }), opts)).rejects.toThrow('metadata.repeat_seed must be an integer, got 1.5');
  });
});

describe('run overrides', () => {
  const cfg = (num_fewshot: number | null) => ({ num_fewshot }) as TaskConfig;
  it('--num_fewshot replaces the YAML value unless that is 0 (warned); none set means 0', () => {
    const warnings: string[] = [];
    const warn = (w: string) => warnings.push(w);
    expect(numFewshotOf(cfg(5), 't', 2, warn)).toBe(2);
    expect(numFewshotOf(cfg(null), 't', 2, warn)).toBe(2);
    expect(numFewshotOf(cfg(null), 't', undefined, warn)).toBe(0);
    expect(numFewshotOf(cfg(3), 't', undefined, warn)).toBe(3);
    expect(warnings).toEqual([]);
    expect(numFewshotOf(cfg(0), 't', 2, warn)).toBe(0);
    expect(warnings).toEqual(["task 't': num_fewshot is 0 in its YAML; --num_fewshot 2 is ignored"]);
  });
  it('--gen_kwargs update a copy of the task generation_kwargs; an integral temperature becomes a float', () => {
    const own = Object.freeze({ until: ['\n'], temperature: 0.5 });
    expect(mergedGenerationKwargs(own, { max_gen_toks: 10 })).toEqual({ until: ['\n'], temperature: 0.5, max_gen_toks: 10 });
    expect(mergedGenerationKwargs(own, { temperature: 1 }).temperature).toEqual(new PyFloat(1));
    expect(mergedGenerationKwargs(null, { do_sample: true })).toEqual({ do_sample: true });
  });
  it('--gen_kwargs apply to generate_until tasks only; [v0.4.4] predict-only dumps no process_results', () => {
    const mc = { output_type: 'multiple_choice', num_fewshot: 0 } as TaskConfig;
    expect('generation_kwargs' in withRunOverrides(mc, 't', { genKwargs: { a: 1 }, predictOnly: false }, 'latest', () => {})).toBe(false);
    expect(withRunOverrides(mc, 't', { predictOnly: true }, '0.4.4', () => {})).toMatchObject({ metric_list: [{ metric: 'bypass' }], process_results: null });
  });
});

describe('few-shot pool', () => {
  const config = (extra: Record<string, unknown>) => ({ test_split: 'test', ...extra }) as unknown as TaskConfig;
  const source = (c: TaskConfig) => docSource({ ...c, custom_dataset: data } as TaskConfig, 't', { yamlDir: '.' });
  const ctx = (c: TaskConfig, warnings: string[] = []) => ({ name: 't', profile: 'latest' as const, docs: source(c), evalSplit: 'test', evalDocs: rows(3, 'test'), warn: (w: string) => warnings.push(w) });

  it('comes from the few-shot split, else samples, else training, else (warned) the test split', async () => {
    const fromSplit = config({ fewshot_split: 'train' });
    expect((await fewshotPool(fromSplit, 1, ctx(fromSplit))).description).toBe("split 'train'");
    const fromSamples = config({ fewshot_config: { samples: [{ q: 's' }] } });
    expect(await fewshotPool(fromSamples, 1, ctx(fromSamples))).toEqual({ docs: [{ q: 's' }], description: 'fewshot_config.samples' });
    const fromTraining = config({ training_split: 'train' });
    expect((await fewshotPool(fromTraining, 1, ctx(fromTraining))).docs).toHaveLength(5);
    const warnings: string[] = [];
    const none = config({});
    expect((await fewshotPool(none, 1, ctx(none, warnings))).docs).toHaveLength(3);
    expect(warnings[0]).toMatch(/no few-shot split; drawing few-shot examples from the test split 'test'/);
    expect(await fewshotPool(none, 0, ctx(none))).toEqual({ docs: [], description: '' });
  });

  it('[latest] fewshot_config.split comes first', () => {
    expect(fewshotSplitOf(config({ fewshot_split: 'a', fewshot_config: { split: 'b' } }), 'latest')).toBe('b');
    expect(fewshotSplitOf(config({ fewshot_split: 'a', fewshot_config: { split: 'b' } }), '0.4.4')).toBe('a');
  });

  it('the default sampler needs the examples plus the left-out document', () => {
    const pool = { docs: rows(2, 'p'), description: "split 'test'" };
    expect(() => checkPoolSize(pool, 2, 'default', false, 't')).not.toThrow();
    expect(() => checkPoolSize(pool, 2, 'first_n', true, 't')).not.toThrow();
    expect(() => checkPoolSize(pool, 2, 'default', true, 't')).toThrow(
      "task 't': 2 few-shot examples need 3 documents (one extra is drawn to leave out the evaluated document), but the few-shot pool, split 'test', has 2",
    );
  });
});

describe('docSource', () => {
  it('loads each (split, process_docs) once and names a process_docs that returns no list', async () => {
    let calls = 0;
    const config = { custom_dataset: () => (calls++, data()) } as unknown as TaskConfig;
    const docs = docSource(config, 't', { yamlDir: '.' });
    const upper = (ds: Array<{ q: string }>) => ds.map((d) => ({ q: d.q.toUpperCase() }));
    expect(await docs('test', upper)).toEqual([{ q: 'TEST0' }, { q: 'TEST1' }, { q: 'TEST2' }]);
    expect(await docs('test', upper)).toBe(await docs('test', upper));
    expect(await docs('train', null)).toHaveLength(5);
    expect(calls).toBe(1);
    const broken = Object.defineProperty(() => 42, 'name', { value: 'broken' });
    await expect(docs('test', broken)).rejects.toThrow("task 't': process_docs (broken) returned number 42 for split 'test', not a list of documents");
    await expect(docs('dev', null)).rejects.toThrow("task 't': custom_dataset has no split 'dev' (splits: test, train)");
  });
});
