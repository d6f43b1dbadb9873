import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../src/errors.ts';
import { fnmatch } from '../src/task/fnmatch.ts';
import { TaskIndex } from '../src/task/index.ts';
import { readYamlCached } from '../src/task/include.ts';
import { INDEX_KEYS, scanIndexKeysText } from '../src/task/scan.ts';
import { FunctionRef, parseYaml } from '../src/task/yaml.ts';

const fx = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tasks-engine/index');
const build = (profile: '0.4.4' | 'latest') =>
  TaskIndex.build({ profile, builtinDir: path.join(fx, 'builtin'), includePaths: [path.join(fx, 'extra'), path.join(fx, 'mera')], cwd: tmpdir() });

describe('fnmatch', () => {
  it('matches like Python fnmatchcase', () => {
    expect(fnmatch('arc_easy', 'arc_*')).toBe(true);
    expect(fnmatch('arc_easy', 'arc_?asy')).toBe(true);
    expect(fnmatch('arc_easy', 'arc_[de]asy')).toBe(true);
    expect(fnmatch('arc_easy', 'arc_[!e]asy')).toBe(false);
    expect(fnmatch('a/b', 'a*')).toBe(true);
    expect(fnmatch('a[b', 'a[b')).toBe(true);
    expect(fnmatch('Arc', 'arc')).toBe(false);
    expect(fnmatch('x-1', 'x-[0-9]')).toBe(true);
    expect(fnmatch('a.b', 'a?b')).toBe(true);
    expect(fnmatch('aXb', 'a.b')).toBe(false);
  });
});

describe('line pre-scan', () => {
  it('gives the same values as a full parse for simple files', () => {
    const texts = [
      'task: a\ntag:\n  - x\n  - "y"\noutput_type: multiple_choice  # c\ndoc_to_text: "{{q}}: x"\n',
      "include: ../base.yaml\ntask: 'it''s'\ntag: [a, 'b', \"c\"]\n",
      'group: g\ntask:\n- t1\n- task: t2\n  num_fewshot: 2\n',
      'task: 1.0\ndoc_to_text: |\n  x\n  task: not_a_key\n',
      '---\ntask: t\ntag:\n- a\n- b\n',
      // quoted keys, and quoted values of other keys continued on later lines (even at column 0)
      '"task": x\n\'tag\': [a]\n',
      'doc: "unclosed\ntask: x"\n',
      '"include": "_t"\n"description": "line one\\\n  \\ two \\"q\\" \\n\n  three"\n"task": "t"\n',
      "doc: 'it''s\nstill ''here'''  # c\ntask: t\n",
    ];
    for (const t of texts) {
      const scanned = scanIndexKeysText(t)!;
      expect(scanned).toBeDefined();
      const full = parseYaml(t) as Record<string, unknown>;
      for (const k of INDEX_KEYS) {
        if (k === 'task' && Array.isArray(full.task)) expect(Array.isArray(scanned.task)).toBe(true);
        else expect(scanned[k]).toEqual(full[k]);
      }
    }
  });

  it('reads `class: !function module.Name` of a file as the parser does', () => {
    const file = path.join(tmpdir(), 'lm-eval-scan', 'task.yaml');
    for (const t of ['task: t\nclass: !function task.MyTask\n', 'class: !function ../lib/mod.Cls  # c\ntask: t\n']) {
      const scanned = scanIndexKeysText(t, file)!;
      expect(scanned).toBeDefined();
      const full = parseYaml(t, { file }) as Record<string, unknown>;
      expect(scanned.class).toBeInstanceOf(FunctionRef);
      expect(scanned.class).toEqual(full.class);
      expect(scanned.task).toEqual(full.task);
    }
    // anything else tagged, and a !function the parser rejects, goes to the parser
    for (const t of ['class: !function nodot\n', 'class: !function a.\n', 'class: !function "a.b"\n', 'class: !other a.b\n', 'class: !function a.b c\n'])
      expect(scanIndexKeysText(t, file)).toBeUndefined();
  });

  it('falls back to a full parse for anything it is unsure of', () => {
    for (const t of ['task: &a x\n', 'task: *a\n', '<<: *base\ntask: x\n', 'task: >\n  folded\n', 'task: x\n  continued\n', '{task: x}\n', 'task: !function a.b\n', 'doc: "never closed\ntask: x\n', 'doc: "x\n---\n"\ntask: t\n', 'doc: "x\ny" z\ntask: t\n', 'doc: "x\ny"# c\ntask: t\n'])
      expect(scanIndexKeysText(t)).toBeUndefined();
  });
});

describe('TaskIndex', () => {
  it('registers tasks, groups, tags; skips __pycache__ and config-only files', () => {
    const idx = build('latest');
    const tasks = idx.allTasks().map((e) => e.name);
    expect(tasks).toEqual(['arc_challenge', 'arc_easy', 'complex_task', 'dup', 'legacy_task', 'my_task', 'named_base', 'shared', 'squad_py', 'tagclash_task']);
    expect(tasks).not.toContain('ghost');
    expect(idx.get('squad_py')!.kind).toBe('python_task');
    expect(idx.allGroups().map((e) => e.name)).toEqual(['ai2', 'legacy_group']);
    expect(idx.allTags().map((e) => [e.name, e.tasks])).toEqual([
      ['ai2_arc', ['arc_challenge', 'arc_easy']],
      ['also_mine', ['my_task']],
      ['legacy_tag', ['legacy_task']],
      ['mine', ['my_task']],
      ['needs full parse', ['complex_task']],
    ]);
    // tag 'ai2' clashes with the group of that name: not registered
    expect(idx.get('ai2')!.kind).toBe('group');
    expect(idx.warnings.some((w) => /tag 'ai2' has the name of a group/.test(w))).toBe(true);
    // a broken YAML file is skipped with a warning
    expect(idx.warnings.some((w) => /broken\.yaml/.test(w))).toBe(true);
  });

  it('names, tags and output types inherited through include', () => {
    const idx = build('latest');
    expect(idx.get('arc_challenge')).toMatchObject({ kind: 'task', outputType: 'multiple_choice', tags: ['ai2_arc'] });
    // inherit_name.yaml gets its task name from named_base.yaml: same name, first (sorted) file wins
    expect(idx.get('named_base')!.yamlPath).toBe(path.join(fx, 'builtin/inherit_name.yaml'));
    expect(idx.get('named_base')!.outputType).toBe('loglikelihood_rolling');
    expect(idx.get('my_task')!.outputType).toBe('generate_until');
    expect(idx.get('legacy_task')!.profile).toBe('0.4.4');
  });

  it('collisions, latest: first file in a folder wins, --include_path beats built-ins', () => {
    const idx = build('latest');
    expect(idx.get('dup')!.yamlPath).toBe(path.join(fx, 'builtin/dup_a.yaml'));
    expect(idx.get('shared')!.yamlPath).toBe(path.join(fx, 'extra/shared.yaml'));
    expect(idx.warnings.some((w) => w.includes("Duplicate task name 'dup'"))).toBe(true);
    expect(idx.collisions.find((c) => c.name === 'shared')).toMatchObject({
      sameRoot: false,
      level: 'WARNING',
      winner: path.join(fx, 'extra/shared.yaml'),
      loser: path.join(fx, 'builtin/shared.yaml'),
      message: `Task 'shared' from ${path.join(fx, 'extra/shared.yaml')} overrides existing task from ${path.join(fx, 'builtin/shared.yaml')}`,
    });
  });

  it("collisions, v0.4.4: last file in a folder wins; --include_path still beats built-ins (the user's copy is used)", () => {
    const idx = build('0.4.4');
    expect(idx.get('dup')!.yamlPath).toBe(path.join(fx, 'builtin/dup_b.yaml'));
    expect(idx.get('shared')!.yamlPath).toBe(path.join(fx, 'extra/shared.yaml'));
    expect(idx.collisions.filter((c) => c.name === 'shared')).toHaveLength(1);
  });

  it('matchTasks: globs, tags, groups, order and de-duplication per profile', () => {
    const latest = build('latest');
    expect(latest.matchTasks('my_task,arc_*')).toEqual(['my_task', 'arc_challenge', 'arc_easy']);
    expect(latest.matchTasks('my_task arc_easy my_task')).toEqual(['my_task', 'arc_easy']);
    expect(latest.matchTasks(['ai2', 'mine'])).toEqual(['ai2', 'mine']);
    const old = build('0.4.4');
    expect(old.matchTasks('my_task,arc_*')).toEqual(['arc_challenge', 'arc_easy', 'my_task']);
    expect(old.matchTasks('zzz*,my_task')).toEqual(['my_task']); // v0.4.4 skips unmatched globs
  });

  it('unknown names: "Tasks not found" with suggestions', () => {
    const idx = build('latest');
    let err: LmEvalError | undefined;
    try {
      idx.matchTasks('arc_esy,nothing_like_it');
    } catch (e) {
      err = e as LmEvalError;
    }
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err!.message).toBe('Tasks not found: arc_esy, nothing_like_it');
    expect(err!.hint).toMatch(/arc_esy -> arc_easy/);
    expect(() => idx.matchTasks('zzz*')).toThrow(/Tasks not found: zzz\*/);
  });

  it('.yaml paths (with globs) and directories are loaded as inline entries', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lm-eval-inline-'));
    mkdirSync(path.join(root, 'd'));
    writeFileSync(path.join(root, 'd/one.yaml'), 'task: inline_one\n');
    writeFileSync(path.join(root, 'd/two.yaml'), 'task: inline_two\noutput_type: loglikelihood\n');
    const idx = TaskIndex.build({ builtinDir: path.join(fx, 'builtin'), cwd: root });
    expect(idx.matchTasks('d/one.yaml')).toEqual(['inline_one']);
    expect(idx.matchTasks('d/*.yaml')).toEqual(['inline_one', 'inline_two']);
    expect(idx.matchTasks(path.join(root, 'd'))).toEqual(['inline_one', 'inline_two']);
    expect(idx.get('inline_two')!.outputType).toBe('loglikelihood');
    expect(() => idx.matchTasks('d/none.yaml')).toThrow(/Tasks not found: d\/none\.yaml/);
  });

  it('indexes 3000 generated YAML files (include chains, tags)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lm-eval-bench-'));
    const base = 'output_type: multiple_choice\ndoc_to_text: "Question: {{question}}\\nAnswer:"\ndoc_to_choice: "{{choices.text}}"\nmetric_list:\n  - metric: acc\n    aggregation: mean\nmetadata:\n  version: 1.0\n';
    writeFileSync(path.join(root, '_base.yaml'), base);
    for (let d = 0; d < 30; d++) {
      const sub = path.join(root, `family_${d}`);
      mkdirSync(sub);
      for (let i = 0; i < 100; i++) {
        const body =
          i % 2 === 0
            ? `include: ../_base.yaml\ntask: t_${d}_${i}\ndataset_name: sub_${i}\ntag:\n  - fam_${d}\n`
            : `task: t_${d}_${i}\ntag: [fam_${d}, all]\ndataset_path: x/y\n${base}`;
        writeFileSync(path.join(sub, `t_${i}.yaml`), body);
      }
    }
    const idx = TaskIndex.build({ builtinDir: root, cwd: root });
    expect(idx.allTasks()).toHaveLength(3000);
    expect(idx.get('fam_3')!.tasks).toHaveLength(100);
    expect(idx.get('all')!.tasks).toHaveLength(1500);
    expect(idx.get('t_0_0')!.outputType).toBe('multiple_choice');
  });
});

describe('parse cache', () => {
  it('re-reads a file when it changes', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lm-eval-cache-'));
    const f = path.join(root, 'a.yaml');
    writeFileSync(f, 'task: a\n');
    expect(readYamlCached(f).task).toBe('a');
    writeFileSync(f, 'task: bb\n');
    expect(readYamlCached(f).task).toBe('bb');
  });
});
