/**
 * Regressions from a sweep of real task folders (lm-evaluation-harness lm_eval/tasks, MERA
 * benchmark_tasks) through the task engine. Every YAML here is a small synthetic reproduction of a
 * construct found in a real file; expected YAML values were checked against PyYAML.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTasks } from '../src/task/group.ts';
import { TaskIndex } from '../src/task/index.ts';
import { scanIndexKeysText } from '../src/task/scan.ts';
import { FunctionRef, parseYaml } from '../src/task/yaml.ts';
import { PyFloat } from '../src/python/values.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'lm-eval-realfiles-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

// Shape of lm-eval's benchmarks/flan/flan_held_in.yaml: members of a group are registered tasks
// written as `{task: name, include: <template next to the group file>, ...overrides}`.
const memberIncludeFiles = {
  'base/t_mc.yaml': [
    'task: t_mc',
    'dataset_path: some/data',
    'output_type: multiple_choice',
    'doc_to_text: "{{q}}"',
    'doc_to_target: 0',
    'doc_to_choice: ["a", "b"]',
    'description: from the task',
    '',
  ].join('\n'),
  'base/_local_tpl_yaml': 'target_delimiter: "|"\nfewshot_delimiter: "##"\n',
  'bench/_held_in_template_yaml': [
    'output_type: generate_until',
    'doc_to_choice: null',
    'description: from the template',
    'metric_list:',
    '  - metric: exact_match',
    'generation_kwargs:',
    '  until:',
    '    - "</s>"',
    '',
  ].join('\n'),
  'bench/g_flan.yaml': [
    'group: g_flan',
    'task:',
    '  - task: t_mc',
    '    task_alias: prompt-0',
    '    include: _held_in_template_yaml',
    '    doc_to_text: "Q: {{q}}"',
    '',
  ].join('\n'),
  'bench/g_fallback.yaml': [
    'group: g_fallback',
    'task:',
    '  - task: t_mc',
    '    include: _local_tpl_yaml',
    '',
  ].join('\n'),
};

describe('group member entries with include (lm-eval benchmarks/flan/flan_held_in.yaml)', () => {
  for (const profile of ['latest', '0.4.4'] as const) {
    it(`[${profile}] resolves the include next to the group file, as the lowest-precedence layer`, async () => {
      const root = tree(memberIncludeFiles);
      const idx = TaskIndex.build({ profile, builtinDir: null, includePaths: [root], cwd: root });
      const r = await loadTasks(['g_flan'], idx);
      const t = [...r.tasks.values()][0];
      expect('include' in t.raw).toBe(false);
      expect(t.config.task_alias).toBe('prompt-0'); // member key
      expect(t.config.doc_to_text).toBe('Q: {{q}}'); // member beats registered config
      // lm-eval builds {**included, **{**registered, **member}}: the registered config beats the include
      expect(t.config.output_type).toBe('multiple_choice');
      expect(t.config.description).toBe('from the task');
      expect(t.config.doc_to_choice).toEqual(['a', 'b']);
      // keys only the include sets are added
      expect(t.config.metric_list).toEqual([{ metric: 'exact_match' }]);
      expect(t.config.generation_kwargs).toEqual({ until: ['</s>'] });
    });
  }

  it('falls back to the registered task folder when the file is not next to the group file', async () => {
    const root = tree(memberIncludeFiles);
    const idx = TaskIndex.build({ profile: 'latest', builtinDir: null, includePaths: [root], cwd: root });
    const r = await loadTasks(['g_fallback'], idx);
    const t = r.tasks.get('t_mc')!;
    expect(t.config.target_delimiter).toBe('|');
    expect(t.config.fewshot_delimiter).toBe('##');
  });

  it('a member include that exists nowhere is a clear error naming the file', async () => {
    const root = tree({
      ...memberIncludeFiles,
      'bench/g_missing.yaml': 'group: g_missing\ntask:\n  - task: t_mc\n    include: nope_yaml\n',
    });
    const idx = TaskIndex.build({ profile: 'latest', builtinDir: null, includePaths: [root], cwd: root });
    await expect(loadTasks(['g_missing'], idx)).rejects.toThrow(/included file 'nope_yaml' not found/);
  });
});

describe('YAML constructs seen in real task files (values as PyYAML gives them)', () => {
  const text = [
    '"task": "quoted_keys"',
    "folded: '{% if a %}x{%",
    "  endif %}'",
    'escaped: "\\',
    "  {% set p = '\\",
    '  Q: a?\\n\\',
    '  A: b.\\',
    "  '%}\\",
    '  {{p}}"',
    'dup: ""',
    'dup: " "',
    'lit: |',
    '  line one',
    '',
    '  line two',
    '',
    'stops:',
    '  - </s>',
    '  - <|im_end|>',
    '  - \\n',
    "  - 'Q:'",
    'fn: !function "utils.f"',
    'ver: aaii-v4.0',
    'meta:',
    '  - version: 1.0',
    '',
  ].join('\n');

  it('parses quoted keys, folded quoted scalars, escaped line breaks, duplicates, literals, tagged quoted scalars', () => {
    const v = parseYaml(text, { file: path.join(tmpdir(), 'x.yaml') }) as Record<string, unknown>;
    expect(v.task).toBe('quoted_keys');
    expect(v.folded).toBe('{% if a %}x{% endif %}'); // mgsm_direct_zh: single-quoted scalar over two lines
    expect(v.escaped).toBe("{% set p = 'Q: a?\nA: b.'%}{{p}}"); // tinyTruthfulQA: "\" line continuations
    expect(v.dup).toBe(' '); // mgsm cot_yaml sets target_delimiter twice: last wins
    expect(v.lit).toBe('line one\n\nline two\n'); // gpqa aaii template: clip chomping
    expect(v.stops).toEqual(['</s>', '<|im_end|>', '\\n', 'Q:']); // plain `\n` stays two characters
    expect(v.fn).toBeInstanceOf(FunctionRef); // super_glue cb t5-prompt: !function on a quoted scalar
    expect((v.fn as FunctionRef).module).toBe('utils');
    expect((v.fn as FunctionRef).name).toBe('f');
    expect(v.ver).toBe('aaii-v4.0');
    const meta = v.meta as Array<Record<string, unknown>>;
    expect(meta[0].version).toBeInstanceOf(PyFloat); // glue: metadata written as a list
  });

  it('the index pre-scan agrees with a full parse on quoted keys (belebele/cmmlu generated files)', () => {
    const gen = '"dataset_name": "x"\n"include": "_default_template_yaml"\n"task": "belebele_x"\n';
    const scanned = scanIndexKeysText(gen);
    const full = parseYaml(gen) as Record<string, unknown>;
    // either the scanner understands the file or it defers to the full parse; never a wrong answer
    if (scanned) expect(scanned).toEqual({ include: full.include, task: full.task });
    const root = tree({ 'b/_default_template_yaml': 'output_type: loglikelihood\n', 'b/belebele_x.yaml': gen });
    const idx = TaskIndex.build({ profile: 'latest', builtinDir: null, includePaths: [root], cwd: root });
    expect(idx.get('belebele_x')?.outputType).toBe('loglikelihood');
  });
});
