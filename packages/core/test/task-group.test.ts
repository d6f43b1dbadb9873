import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pyStr } from '../src/python/values.ts';
import { loadTaskFile, loadTasks } from '../src/task/group.ts';
import { TaskIndex } from '../src/task/index.ts';
import { FunctionRef } from '../src/task/yaml.ts';

const fx = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tasks-engine');
const groupsIndex = (profile: '0.4.4' | 'latest') => TaskIndex.build({ profile, builtinDir: path.join(fx, 'groups'), cwd: tmpdir() });

describe('groups (latest)', () => {
  it('builds the tree: overrides (member wins), inline task and subgroup names, tag expansion', async () => {
    const idx = groupsIndex('latest');
    const r = await loadTasks(idx.matchTasks('g_main'), idx, { metadata: { pretrained: 'm' } });
    expect(r.topLevel).toEqual(['g_main']);
    const g = r.groups.get('g_main')!;
    expect(g.children).toEqual(['t1', 't2', 'g_main::inline_one', 'g_main::sub_inline']);
    expect(g.config.group_alias).toBe('Main');
    expect(g.config.aggregate_metric_list).toEqual([{ metric: 'acc', aggregation: 'mean', weight_by_size: true, filter_list: null }]);
    const sub = r.groups.get('g_main::sub_inline')!;
    expect(sub.children).toEqual(['t3', 't4']); // tag tg2 expanded (sorted)
    expect(sub.parent).toBe('g_main');
    expect(sub.config.aggregate_metric_list![0].weight_by_size).toBe(false);
    expect(r.tasks.get('t1')!.config.num_fewshot).toBe(3); // group-level override
    expect(r.tasks.get('t2')!.config.num_fewshot).toBe(5); // member entry wins (latest)
    expect(r.tasks.get('t3')!.config.num_fewshot).toBe(3); // inherited through the subgroup
    const inline = r.tasks.get('g_main::inline_one')!;
    expect(inline.config.task).toBe('g_main::inline_one');
    expect(inline.config.output_type).toBe('loglikelihood');
    expect(inline.yamlPath).toBeNull();
    expect(inline.config.metadata).toEqual({ pretrained: 'm', config_source: 'inline' });
  });

  it('latest metadata injection: tag removed, non-dict metadata wrapped, config_source added', async () => {
    const idx = groupsIndex('latest');
    const r = await loadTasks(['t1'], idx, { metadata: { pretrained: 'x', dtype: 'auto' } });
    const t = r.tasks.get('t1')!;
    expect('tag' in t.raw).toBe(false);
    expect(pyStr(t.config.metadata)).toBe(`{'_metadata': 1.0, 'pretrained': 'x', 'dtype': 'auto', 'config_source': '${path.join(fx, 'groups/t1.yaml')}'}`);
    expect(t.parent).toBeNull();
  });

  it('a tag requested at top level loads its tasks without a group', async () => {
    const idx = groupsIndex('latest');
    const r = await loadTasks(['tg'], idx);
    expect(r.topLevel).toEqual(['t1', 't2']);
    expect(r.groups.size).toBe(0);
  });

  it('a task in two requested groups is an error; duplicates in one group are an error', async () => {
    const idx = groupsIndex('latest');
    await expect(loadTasks(['g_main', 'g_other'], idx)).rejects.toThrow(/Found tasks in multiple groups: 't1'/);
    await expect(loadTasks(['g_dup'], idx)).rejects.toThrow(/Duplicate task 't3'/);
  });

  it('registered subgroup with overrides', async () => {
    const idx = groupsIndex('latest');
    const r = await loadTasks(['g_nested'], idx);
    expect(r.groups.get('g_nested')!.children).toEqual(['g_other']);
    expect(r.groups.get('g_other')!.parent).toBe('g_nested');
    expect(r.tasks.get('t1')!.config.repeats).toBe(2);
  });

  it('aggregation must be mean or a function', async () => {
    const idx = groupsIndex('latest');
    await expect(loadTasks(['g_badagg'], idx)).rejects.toThrow(/g_badagg\.yaml: aggregate_metric_list\[0\]: aggregation must be 'mean' or a !function, got 'median'/);
  });
});

describe('groups (v0.4.4)', () => {
  it('group-level keys win over member entries; inline names kept; v0.4.4 agg defaults; no metadata injection', async () => {
    const idx = groupsIndex('0.4.4');
    const r = await loadTasks(['g_main'], idx);
    expect(r.groups.get('g_main')!.children).toEqual(['t1', 't2', 'inline_one', 'sub_inline']);
    expect(r.tasks.get('t2')!.config.num_fewshot).toBe(3);
    expect(r.groups.get('g_main')!.config.aggregate_metric_list).toEqual([{ metric: 'acc', aggregation: 'mean', weight_by_size: false, filter_list: ['none'] }]);
    const t1 = r.tasks.get('t1')!;
    expect(t1.config.tag).toEqual(['tg']);
    expect(pyStr(t1.config.metadata)).toBe('1.0');
  });

  it('the same task twice in one group is renamed name-1', async () => {
    const idx = groupsIndex('0.4.4');
    const r = await loadTasks(['g_dup'], idx);
    expect(r.groups.get('g_dup')!.children).toEqual(['t3', 't3-1']);
    expect(r.tasks.get('t3-1')!.config.task).toBe('t3-1');
  });
});

describe('task loading with functions and MERA-style files', () => {
  it('resolves !function values and keeps the raw references', async () => {
    const t = await loadTaskFile(path.join(fx, 'functions/nested/task.yaml'), { profile: 'latest' });
    expect(typeof t.config.doc_to_text).toBe('function');
    expect(t.raw.doc_to_text).toBeInstanceOf(FunctionRef);
    expect((t.config.fewshot_config!.process_docs as (x: number) => number)(1)).toBe(4);
  });

  it('the 0.4.4 marker lets MERA keys through while latest rejects them', async () => {
    const idx = TaskIndex.build({ profile: 'latest', builtinDir: path.join(fx, 'index/mera'), cwd: tmpdir() });
    const r = await loadTasks(['legacy_group'], idx);
    const t = r.tasks.get('legacy_task')!;
    expect(t.profile).toBe('0.4.4');
    expect(t.config.context_based).toBe(true);
    expect(t.config.group).toBe('legacy_tag');
    await expect(loadTaskFile(path.join(fx, 'index/mera/legacy_task.yaml'), { profile: 'latest', cwd: path.join(fx, 'index') })).resolves.toBeDefined();
  });

  it('unknown keys fail under latest with the file named', async () => {
    const idx = TaskIndex.build({ profile: 'latest', builtinDir: path.join(fx, 'index/extra'), cwd: tmpdir() });
    const r = await loadTasks(['my_task'], idx, { overrides: { bogus_key: 1 } }).catch((e) => e);
    expect(r.message).toMatch(/extra\/mytask\.yaml: invalid task config: unknown key 'bogus_key'/);
  });
});

describe('MERA-style diamond includes under a 0.4.4 marker', () => {
  const root = path.join(fx, 'mera_like');
  it('bps_gen: the generic gen base (first include) beats bps.yaml; other keys still come from bps.yaml', async () => {
    const idx = TaskIndex.build({ profile: 'latest', builtinDir: null, includePaths: [root], cwd: tmpdir() });
    expect(idx.get('bps_gen')).toMatchObject({ kind: 'task', outputType: 'generate_until', tags: ['mera_gen'], profile: '0.4.4' });
    expect(idx.get('mera_gen')!.tasks).toEqual(['bps_gen']);
    const r = await loadTasks(idx.matchTasks('bps*'), idx);
    const gen = r.tasks.get('bps_gen')!;
    expect(gen.config.output_type).toBe('generate_until');
    expect(gen.config.doc_to_choice).toBeNull();
    expect(gen.config.process_results).toBeNull();
    expect((gen.config.filter_list![0].filter[0] as { function: string }).function).toBe('regex');
    expect(gen.config.dataset_name).toBe('bps');
    expect(gen.config.num_fewshot).toBe(1);
    expect(pyStr(gen.config.generation_kwargs)).toBe("{'do_sample': False, 'until': ['\\n']}");
    expect(Object.keys(gen.config.fewshot_config!)).toEqual(['sampler', 'doc_to_text_without_instruction', 'query']);
    expect(new (gen.config.fewshot_config!.sampler as new () => { kind: string })().kind).toBe('mera-fewshot-sampler');
    expect(gen.raw.fewshot_config).toMatchObject({ sampler: expect.any(FunctionRef) });
    expect(gen.config.tag).toEqual(['mera_gen']);
    expect(gen.config.metadata).toEqual({ version: expect.anything() });
    const bps = r.tasks.get('bps')!;
    expect(bps.config.output_type).toBe('multiple_choice');
    expect(bps.config.generation_kwargs).toBeNull();
  });

  it('the marker keeps first-wins precedence when the run default is latest', async () => {
    const cfg = (await import('../src/task/include.ts')).loadYamlConfig(path.join(root, 'bps/bps_gen.yaml'), { profile: 'latest', cwd: tmpdir() });
    // the marker pins 0.4.4 even when the run default is latest
    expect(cfg.output_type).toBe('generate_until');
  });
});
