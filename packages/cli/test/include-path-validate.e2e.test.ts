/**
 * `--include_path` precedence and errors, `ls --verbose` provenance and `lm-eval validate` through
 * the real binary, on task folders written here in a temp dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, pool, runCli, type CliResult } from './cli-harness.ts';

let tmp: string;
const results = new Map<string, CliResult>();

function write(rel: string, text: string): string {
  const file = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const TASK = (name: string, extra = '') =>
  `task: ${name}\ndataset_path: json\ndataset_kwargs:\n  data_files: {test: data.jsonl}\ntest_split: test\noutput_type: multiple_choice\ndoc_to_text: "{{q}}"\ndoc_to_target: 0\ndoc_to_choice: ["a", "b"]\n${extra}`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-incl-'));
  // two user folders; both define `twice`, the second also shadows the built-in `arc_easy`
  write('a/twice.yaml', TASK('twice', 'metadata: {version: 1}\n'));
  write('b/twice.yaml', TASK('twice', 'metadata: {version: 2}\n'));
  write('b/arc_easy.yaml', TASK('arc_easy'));
  // a folder for validate: good and broken tasks
  write('v/good.yaml', TASK('v_good'));
  write('v/bad_template.yaml', TASK('v_bad_template').replace('"{{q}}"', '"{{ q | }}"'));
  write('v/bad_filter.yaml', TASK('v_bad_filter', 'filter_list:\n  - name: x\n    filter:\n      - function: no_such_filter\n'));
  write('v/bad_metric.yaml', TASK('v_bad_metric', 'metric_list:\n  - metric: no_such_metric\n'));
  write('v/missing_fn.yaml', TASK('v_missing_fn', 'process_docs: !function utils.not_there\n'));
  write('v/py_fn.yaml', TASK('v_py_fn', 'process_docs: !function utils.keep\n'));
  write('v/py_sampler.yaml', TASK('v_py_sampler', 'fewshot_config:\n  sampler: !function utils.MySampler\n'));
  write('v/utils.py', 'def keep(dataset):\n    return dataset\n\n\nclass MySampler:\n    pass\n');
  write('v/group.yaml', 'group: v_group\ntask:\n  - v_good\n  - v_bad_metric\n');
  write('v/not_a_dir.yaml', TASK('x'));
  // helpers importing lm_eval: what the worker's stand-in provides, and what it does not
  write('w/imports_ok.yaml', TASK('w_ok', 'process_docs: !function ok.keep\n'));
  write('w/ok.py', 'from lm_eval.filters.extraction import Filter, RegexFilter\nfrom lm_eval.utils import general_detokenize\n\n\ndef keep(dataset):\n    return dataset\n');
  write('w/imports_missing.yaml', TASK('w_missing', 'process_docs: !function missing.keep\n'));
  write('w/missing.py', 'from lm_eval.tasks.elsewhere import (\n    helper,\n)\n\n\ndef keep(dataset):\n    return dataset\n');

  const twice = path.join(tmp, 'a') + path.delimiter + path.join(tmp, 'b');
  const jobs: Record<string, { args: string[]; env?: NodeJS.ProcessEnv }> = {
    missing: { args: ['ls', 'tasks', '--include_path', path.join(tmp, 'nope')] },
    file: { args: ['ls', 'tasks', '--include_path', path.join(tmp, 'v/not_a_dir.yaml')] },
    runMissing: { args: ['--model', 'dummy', '--tasks', 'twice', '--include_path', path.join(tmp, 'nope')] },
    colon: { args: ['ls', 'subtasks', '--verbose', '--include_path', twice] },
    repeated: { args: ['ls', 'subtasks', '--verbose', '--include_path', path.join(tmp, 'a'), '--include_path', path.join(tmp, 'b')] },
    quiet: { args: ['ls', 'subtasks', '--include_path', twice], env: { LMEVAL_LOG_LEVEL: 'ERROR' } },
    validateDir: { args: ['validate', '--include_path', path.join(tmp, 'v')] },
    validateDirNoPython: { args: ['validate', '--include_path', path.join(tmp, 'v'), '--python', path.join(tmp, 'no-python')] },
    validateOk: { args: ['validate', '--tasks', 'v_good,arc_easy,hellaswag', '--include_path', path.join(tmp, 'v')] },
    validateMissing: { args: ['validate', '--tasks', 'v_good,v_nothing', '--include_path', path.join(tmp, 'v')] },
    validateNothing: { args: ['validate'] },
    validateImports: { args: ['validate', '--include_path', path.join(tmp, 'w')], env: { LM_EVAL_PYTHON: 'python3' } },
  };
  const names = Object.keys(jobs);
  const out = await pool(names.map((n) => () => runCli(jobs[n].args, { cwd: ROOT, env: jobs[n].env })));
  names.forEach((n, i) => results.set(n, out[i]));
}, 240_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const r = (name: string) => results.get(name)!;

describe('--include_path', () => {
  it('a missing folder or a file is an error naming the flag', () => {
    expect(r('missing').code).toBe(1);
    expect(r('missing').lastErr).toMatch(/^Error: --include_path: folder not found: .*nope/);
    expect(r('runMissing').lastErr).toMatch(/^Error: --include_path: folder not found/);
    expect(r('file').lastErr).toMatch(/^Error: --include_path: .*not_a_dir\.yaml is a file, not a folder — pass the folder that holds it, or name the YAML file in --tasks/);
  });

  it('later folders override earlier ones and the built-ins, one WARNING per collision naming both files', () => {
    for (const name of ['colon', 'repeated']) {
      const res = r(name);
      expect(res.code, res.stderr).toBe(0);
      const twice = res.stdout.split('\n').find((l) => l.startsWith('|twice '))!;
      expect(twice).toContain(path.join(tmp, 'b/twice.yaml'));
      expect(twice).toContain(path.join(tmp, 'a/twice.yaml')); // the Overrides column
      const arc = res.stdout.split('\n').find((l) => l.startsWith('|arc_easy '))!;
      expect(arc).toContain(path.join(tmp, 'b/arc_easy.yaml'));
      expect(arc).toContain('lm_eval/tasks/arc/arc_easy.yaml');
      const warnings = res.stderr.split('\n').filter((l) => l.startsWith('WARNING'));
      expect(warnings).toHaveLength(2);
      expect(warnings).toContain(`WARNING Task 'twice' from ${path.join(tmp, 'b/twice.yaml')} overrides existing task from ${path.join(tmp, 'a/twice.yaml')}`);
      expect(warnings).toContain(`WARNING Task 'arc_easy' from ${path.join(tmp, 'b/arc_easy.yaml')} overrides existing task from ${path.join(ROOT, 'tasks/arc/arc_easy.yaml')}`);
    }
    expect(r('colon').stdout).toBe(r('repeated').stdout);
  });

  it('LMEVAL_LOG_LEVEL=ERROR hides the collision warnings', () => {
    expect(r('quiet').stderr).not.toMatch(/WARNING/);
    expect(r('quiet').stdout).not.toContain('Overrides');
  });
});

describe('lm-eval validate', () => {
  it('checks every task of a folder without data: one line per failure with file and reason, then the count', () => {
    const res = r('validateDir');
    expect(res.code).toBe(1);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Validating 8 tasks and 1 groups in ${path.join(tmp, 'v')}`);
    const line = (task: string) => lines.find((l) => l.startsWith(task + ' ')) ?? '';
    expect(line('v_bad_template')).toMatch(new RegExp(`^v_bad_template \\(${path.join(tmp, 'v/bad_template.yaml')}\\): doc_to_text: template does not compile`));
    expect(line('v_bad_filter')).toMatch(/unknown filter 'no_such_filter'/);
    expect(line('v_bad_metric')).toMatch(/metric 'no_such_metric' is not available/);
    expect(line('v_missing_fn')).toMatch(/!function utils\.not_there: .*utils\.py defines no 'not_there'/);
    expect(lines.find((l) => l.startsWith('group v_group'))).toMatch(/member 'v_bad_metric': .*no_such_metric/);
    expect(line('v_py_sampler')).toMatch(/fewshot_config\.sampler: MySampler is a Python sampler class/);
    expect(line('v_good')).toBe('');
    expect(line('x')).toBe('');
    expect(lines.slice(-3)).toEqual(['0 of 1 groups configure', '2 of 8 tasks configure without Python', '3 of 8 tasks configure']);
  });

  it('a Python helper counts only when a Python is usable (checked statically, never run)', () => {
    const res = r('validateDirNoPython');
    expect(res.stdout).toMatch(/^v_py_fn \(.*py_fn\.yaml\): needs Python for utils\.keep \(no usable Python: .*no-python; pass --python or set LM_EVAL_PYTHON\)$/m);
    expect(res.stdout.trim().split('\n').at(-1)).toBe('2 of 8 tasks configure');
  });

  it("a helper importing from lm_eval what the worker's stand-in lacks needs the real package (python3 here has none)", () => {
    const res = r('validateImports');
    expect(res.stdout).toMatch(/^w_missing \(.*imports_missing\.yaml\): missing\.py imports lm_eval\.tasks\.elsewhere, which the worker's stand-in lm_eval does not provide: needs a Python with the lm_eval package \(python3: no lm_eval\)$/m);
    expect(res.stdout).not.toMatch(/^w_ok /m);
    expect(res.stdout.trim().split('\n').at(-1)).toBe('1 of 2 tasks configure');
  });

  it('--tasks: names, built-ins, exit 0 when all configure; unknown names as lm-eval prints them', () => {
    expect(r('validateOk').code).toBe(0);
    expect(r('validateOk').stdout).toBe("Validating tasks: ['v_good', 'arc_easy', 'hellaswag']\n3 of 3 tasks configure\n");
    expect(r('validateMissing').code).toBe(1);
    expect(r('validateMissing').stdout).toMatch(/^Validating tasks: \['v_good', 'v_nothing'\]\nTasks not found: v_nothing/);
    expect(r('validateNothing').lastErr).toMatch(/^Error: lm-eval validate: nothing to validate — name tasks with --tasks, or a folder with --include_path/);
  });
});
