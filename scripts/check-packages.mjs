#!/usr/bin/env node
/**
 * The packages install and run like any npm library: builds them (scripts/build-packages.mjs),
 * packs each with `pnpm pack`, installs the tarballs with plain npm into a temporary project
 * outside the workspace, and there runs
 *   (a) `npx lm-eval --model hf --model_args pretrained=<bundled model> --tasks tinystories`
 *   (b) a small .mjs program that imports the library (no tsx) and evaluates a task,
 *   (c) `npx lm-eval --model dummy` on a task folder of its own with a TypeScript helper,
 * and checks that every subpath of @lm-eval/core's exports map loads and deep imports are refused.
 *
 * Installing the tarballs' third-party dependencies needs the npm registry, so this runs from
 * `.ci/run` (which installs anyway), not from the offline test suite. `--ignore-scripts`: no
 * install script may download from outside the registry (better-sqlite3's prebuilt binary is
 * then absent; it is loaded only by --use_cache, which the check does not use).
 *
 * Usage: node scripts/check-packages.mjs [--no-build] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackages, PACKAGES } from './build-packages.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip', HF_HUB_OFFLINE: '1', CI: 'true' };

function run(cmd, argv, cwd, what) {
  const t = Date.now();
  try {
    const out = execFileSync(cmd, argv, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    process.stdout.write(`ok   ${what} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    return out;
  } catch (e) {
    process.stderr.write(`FAIL ${what}\n${e.stdout ?? ''}${e.stderr ?? ''}\n`);
    process.exit(1);
  }
}

if (!args.includes('--no-build')) {
  const t = Date.now();
  buildPackages();
  process.stdout.write(`ok   build (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lm-eval-pack-'));
const tarballs = path.join(tmp, 'tarballs');
const project = path.join(tmp, 'project');
mkdirSync(tarballs);
mkdirSync(project);
try {
  for (const p of PACKAGES) run('npx', ['-y', 'pnpm@9', 'pack', '--pack-destination', tarballs], path.join(ROOT, 'packages', p), `pnpm pack @lm-eval/${p}`);
  const files = readdirSync(tarballs).map((f) => path.join(tarballs, f));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'lm-eval-pack-check', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files], project, 'npm install of the tarballs');
  const du = execFileSync('du', ['-sh', path.join(project, 'node_modules', '@lm-eval')], { encoding: 'utf8' }).split('\t')[0];
  process.stdout.write(`     @lm-eval packages installed: ${du}\n`);

  // (a) the CLI on the bundled model and tasks
  const model = 'node_modules/@lm-eval/core/dist/models/stories260k';
  const table = run('npx', ['lm-eval', '--model', 'hf', '--model_args', `pretrained=${model}`, '--tasks', 'tinystories'], project, 'npx lm-eval --model hf --tasks tinystories');
  if (!/tinystories_cloze/.test(table) || !/\|acc /.test(table)) {
    process.stderr.write(`FAIL the results table is missing:\n${table}\n`);
    process.exit(1);
  }
  process.stdout.write(table.split('\n').filter((l) => l.startsWith('|')).map((l) => `     ${l}`).join('\n') + '\n');

  // (c) a task folder of the user's with a TypeScript helper: the packed binary registers tsx and
  // its module hooks only when the first helper is imported (bin/lm-eval-dist.mjs)
  const helperTask = path.join(project, 'mytasks');
  mkdirSync(path.join(helperTask, 'data'), { recursive: true });
  writeFileSync(path.join(helperTask, 'data', 'test.jsonl'), '{"q": "Is ice cold?", "label": 1}\n{"q": "Is fire cold?", "label": 0}\n');
  writeFileSync(
    path.join(helperTask, 'helper_task.yaml'),
    'task: helper_task\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: data/test.jsonl\ntest_split: test\noutput_type: multiple_choice\n' +
      'doc_to_text: !function utils.doc_to_text\ndoc_to_choice: ["no", "yes"]\ndoc_to_target: label\nmetric_list:\n  - metric: acc\n',
  );
  writeFileSync(path.join(helperTask, 'utils.ts'), "import { pyRepr } from '@lm-eval/core/python';\nexport const doc_to_text = (doc: { q: string }): string => `Q: ${doc.q} (${pyRepr(1.5)})`;\n");
  const helperTable = run('npx', ['lm-eval', '--model', 'dummy', '--tasks', 'helper_task', '--include_path', 'mytasks'], project, 'npx lm-eval with a TypeScript task helper');
  if (!/\|helper_task/.test(helperTable)) {
    process.stderr.write(`FAIL the results table is missing:\n${helperTable}\n`);
    process.exit(1);
  }

  // (b) a program importing the library, run by plain node
  writeFileSync(
    path.join(project, 'evaluate.mjs'),
    `import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluate } from '@lm-eval/core';
import { bundledModelDir } from '@lm-eval/core/testing';
import { registerTransformersModels } from '@lm-eval/transformers';

registerTransformersModels();
const { results } = await evaluate({ model: 'hf', modelArgs: { pretrained: bundledModelDir() }, tasks: ['tinystories_cloze'], limit: 8 });
const acc = results.results.tinystories_cloze['acc,none'];
if (typeof acc !== 'number') throw new Error('acc is not a number: ' + acc);
const { exports } = JSON.parse(readFileSync('node_modules/@lm-eval/core/package.json', 'utf8'));
for (const sub of Object.keys(exports)) if (sub.endsWith('.json') === false) await import(path.posix.join('@lm-eval/core', sub));
for (const deep of ['@lm-eval/core/dist/index.js', '@lm-eval/core/src/index.ts', '@lm-eval/core/dist/python/values.js', '@lm-eval/core/evaluate/run-evaluation']) {
  try {
    await import(deep);
    throw new Error(deep + ' should not be importable');
  } catch (e) {
    if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
  }
}
console.log('acc', acc);
`,
  );
  const out = run(process.execPath, ['evaluate.mjs'], project, 'node evaluate.mjs (library import, no tsx)');
  process.stdout.write(`     ${out.trim()}\n`);
} finally {
  if (!args.includes('--keep')) rmSync(tmp, { recursive: true, force: true });
  else process.stdout.write(`kept ${tmp}\n`);
}
