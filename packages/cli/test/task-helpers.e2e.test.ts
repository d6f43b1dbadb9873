/**
 * Task folders outside this repository, run through the real CLI with `--include_path`:
 * - TypeScript/JavaScript helpers next to the YAML (utils.ts / utils.mts / utils.js, ESM or
 *   CommonJS, with or without a package.json nearby), importing `@lm-eval/core`;
 * - Python helpers (utils.py) run by the Python helper worker; a missing interpreter is one
 *   clear error naming the task, the function and the fix.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.ts';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-helpers-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

const DATA = path.join(TMP, 'data');
fs.mkdirSync(path.join(DATA, 'helpers/qa/default'), { recursive: true });
fs.writeFileSync(
  path.join(DATA, 'helpers/qa/default/test.jsonl'),
  ['{"q": "Is ice cold?", "label": 1, "tag": "ß"}', '{"q": "Is fire cold?", "label": 0, "tag": "x"}', '{"q": "Is snow white?", "label": 1, "tag": "y"}'].join('\n') + '\n',
);

function taskFolder(name: string, files: Record<string, string>, taskExtra = ''): string {
  const dir = path.join(TMP, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.yaml`),
    `task: ${name}\ndataset_path: helpers/qa\noutput_type: multiple_choice\ntest_split: test\n` +
      `doc_to_text: !function utils.doc_to_text\ndoc_to_choice: ["no", "yes"]\ndoc_to_target: label\n` +
      `metric_list:\n  - metric: acc\n    aggregation: mean\n    higher_is_better: true\n${taskExtra}`,
  );
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

/** One CLI run over several task folders; returns each task's prompts (doc order). */
async function run(names: string[], dirs: string[], env: NodeJS.ProcessEnv = {}) {
  const out = path.join(TMP, `out-${names.join('-')}`);
  const args = ['run', '--model', 'dummy', '--tasks', names.join(','), '--output_path', out, '--log_samples'];
  for (const d of dirs) args.push('--include_path', d);
  const res = await runCli(args, { cwd: TMP, env: { LM_EVAL_DATASETS_DIR: DATA, HF_HUB_OFFLINE: '1', ...env } });
  const prompts: Record<string, string[]> = {};
  if (fs.existsSync(out)) {
    for (const f of fs.readdirSync(out, { recursive: true }) as string[]) {
      const m = /^samples_(.*)_\d{4}-/.exec(path.basename(f));
      if (!m) continue;
      const samples = fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
      prompts[m[1]] = samples.sort((a, b) => a.doc_id - b.doc_id).map((s) => s.arguments.gen_args_0.arg_0);
    }
  }
  return { ...res, prompts };
}

const pyOk = spawnSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 8)']).status === 0;
if (!pyOk) console.log('[python helper e2e] SKIPPED: no python3 >= 3.8');

const PY = [
  'def process_docs(dataset):',
  '    return dataset.map(lambda d, i: {"q": d["q"].upper(), "n": i}, with_indices=True)',
  '',
  'def doc_to_text(doc):',
  '    return f"[{doc[\'n\']}] {doc[\'q\']} ({1.5!r}, {doc[\'tag\']})\\nA:"',
  '',
].join('\n');


const EXPECTED = ['[Q] Is ice cold? (1.5)\nA:', '[Q] Is fire cold? (1.5)\nA:', '[Q] Is snow white? (1.5)\nA:'];
const ESM_TS = `import { pyRepr } from '@lm-eval/core/python';\nexport const doc_to_text = (doc: { q: string }): string => \`[Q] \${doc.q} (\${pyRepr(1.5)})\\nA:\`;\n`;

describe('TypeScript/JavaScript helpers in a folder outside the repository', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['ts_esm_nopkg', { 'utils.ts': ESM_TS }],
    ['ts_esm_cjs_pkg', { 'utils.ts': ESM_TS, 'package.json': '{"name": "x", "type": "commonjs"}' }],
    ['ts_esm_module_pkg', { 'utils.ts': ESM_TS, 'package.json': '{"name": "x", "type": "module"}' }],
    ['mts_esm', { 'utils.mts': ESM_TS }],
    ['js_esm_nopkg', { 'utils.js': `import { pyRepr } from '@lm-eval/core/python';\nexport function doc_to_text(doc) { return '[Q] ' + doc.q + ' (' + pyRepr(1.5) + ')\\nA:'; }\n` }],
    ['js_cjs_nopkg', { 'utils.js': `exports.doc_to_text = (doc) => '[Q] ' + doc.q + ' (1.5)\\nA:';\n` }],
  ];
  it('every variant loads and imports @lm-eval/core (one CLI run, with a Python-helper folder)', async () => {
    const names = cases.map(([n]) => n);
    const dirs = cases.map(([n, files]) => taskFolder(n, files));
    if (pyOk) {
      names.push('py_helpers');
      dirs.push(taskFolder('py_helpers', { 'utils.py': PY }, 'process_docs: !function utils.process_docs\n'));
    }
    const r = await run(names, dirs);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    for (const n of cases.map(([c]) => c)) expect(r.prompts[n], n).toEqual(EXPECTED);
    // utils.py run by the Python worker: Dataset.map(with_indices), non-ASCII, float repr
    if (pyOk) expect(r.prompts.py_helpers).toEqual(['[0] IS ICE COLD? (1.5, ß)\nA:', '[1] IS FIRE COLD? (1.5, x)\nA:', '[2] IS SNOW WHITE? (1.5, y)\nA:']);
  });
});

describe.skipIf(!pyOk)('Python helper errors', () => {
  it('a Python exception is reported with the traceback tail, without a JS stack trace', async () => {
    const dir = taskFolder('py_raises', { 'utils.py': 'def doc_to_text(doc):\n    return doc["missing"]\n' });
    const r = await run(['py_raises'], [dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("!function utils.doc_to_text: doc_to_text raised: KeyError: 'missing'");
    expect(r.stderr).toContain('return doc["missing"]');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });

  it('no usable interpreter: the error names the task, the function and the fix', async () => {
    const dir = taskFolder('py_nopython', { 'utils.py': PY });
    const r = await run(['py_nopython'], [dir], { LM_EVAL_PYTHON: path.join(TMP, 'no-such-python') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/task 'py_nopython'.*!function utils\.doc_to_text is Python .*utils\.py.* needs a Python 3 interpreter/);
    expect(r.stderr).toMatch(/--python/);
  });
});
