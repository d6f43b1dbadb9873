#!/usr/bin/env node
/**
 * Builds every workspace package for publishing: `tsc -p packages/<name>/tsconfig.build.json`
 * (JS + .d.ts in dist/, relative `.ts` imports rewritten to `.js`), in dependency order. The
 * packed @lm-eval/core also carries the bundled tasks (YAML and data as they are, TypeScript
 * helpers compiled to JS) in dist/tasks and the bundled model in dist/models/stories260k.
 * The repository itself keeps running src/ directly; dist/ is git-ignored.
 *
 * Usage: node scripts/build-packages.mjs
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES = ['core', 'transformers', 'openai', 'vllm', 'experiments', 'cli'];
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function tsc(project) {
  execFileSync(process.execPath, [TSC, '-p', project], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * Copies the files of `src` that ship as they are (everything but TypeScript and
 * tsconfig.build.json) to `dst`, leaving out the folders `skipDir(parent, name)` names.
 */
function copyNonTs(src, dst, skipDir) {
  for (const name of readdirSync(src)) {
    const from = path.join(src, name);
    if (statSync(from).isDirectory()) {
      if (!skipDir(src, name)) copyNonTs(from, path.join(dst, name), skipDir);
    } else if (!name.endsWith('.ts') && name !== 'tsconfig.build.json') {
      mkdirSync(dst, { recursive: true });
      cpSync(from, path.join(dst, name));
    }
  }
}

/** Task files shipped as they are: everything but TypeScript, tests and the test-data mirror. */
const copyTaskData = (src, dst) => copyNonTs(src, dst, (parent, name) => parent === path.join(ROOT, 'tasks') && name === 'testdata');

/** Files under a package's src/ that its modules read at run time (not TypeScript, tests or test data), copied next to the JS. */
const copySourceAssets = (src, dst) => copyNonTs(src, dst, (_parent, name) => name === 'testdata' || name === 'fixtures');

/** The model files a run needs (config, tokenizer, ONNX weights) plus the conformance goldens. */
const MODEL_FILES = ['README.md', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'expected.json', 'onnx'];

export function buildPackages() {
  for (const p of PACKAGES) rmSync(path.join(ROOT, 'packages', p, 'dist'), { recursive: true, force: true });
  for (const p of PACKAGES) {
    tsc(path.join('packages', p, 'tsconfig.build.json'));
    copySourceAssets(path.join(ROOT, 'packages', p, 'src'), path.join(ROOT, 'packages', p, 'dist'));
  }
  const dist = path.join(ROOT, 'packages', 'core', 'dist');
  tsc(path.join('tasks', 'tsconfig.build.json'));
  copyTaskData(path.join(ROOT, 'tasks'), path.join(dist, 'tasks'));
  // the Python-port manifest names TS modules; the packed folder holds their JS
  const manifest = path.join(dist, 'tasks', 'python-ports.json');
  if (existsSync(manifest)) writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/("module"\s*:\s*"[^"]*)\.ts"/g, '$1.js"'));
  const model = path.join(ROOT, 'models', 'stories260k');
  for (const f of MODEL_FILES) cpSync(path.join(model, f), path.join(dist, 'models', 'stories260k', f), { recursive: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  buildPackages();
  process.stdout.write(`built ${PACKAGES.map((p) => `@lm-eval/${p}`).join(', ')} in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}
