// Module hooks for task helpers written in TypeScript/JavaScript that live in a task folder
// anywhere on disk (`!function utils.fn` -> utils.ts / utils.mts / utils.js next to the YAML):
// - a helper file with `import`/`export` statements loads as an ES module whatever package.json
//   is (or is not) above it (tsx then compiles TypeScript as ESM; without this a .ts file outside
//   a `"type": "module"` package is compiled to CommonJS and fails to load);
// - `@lm-eval/*` imports inside such files resolve to the running harness's own packages.
// Files of the harness itself and of node_modules are left alone.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const HARNESS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..') + path.sep;
const HELPER_EXT = /\.(ts|mts|js|mjs)$/;
const ESM_SYNTAX = /^[ \t]*(import[\s{*"']|export[\s{*])/m;

function isUserHelper(url) {
  if (!url.startsWith('file:')) return false;
  const file = fileURLToPath(url.split('?')[0]);
  return HELPER_EXT.test(file) && !file.startsWith(HARNESS_ROOT) && !file.includes(`${path.sep}node_modules${path.sep}`);
}

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@lm-eval/') && context.parentURL && isUserHelper(context.parentURL)) {
    try {
      // resolved as if imported by the CLI package, which depends on every @lm-eval package
      return await next(specifier, { ...context, parentURL: import.meta.url });
    } catch {
      /* not one of ours: default resolution */
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (isUserHelper(url)) {
    const source = await readFile(new URL(url.split('?')[0]));
    if (url.split('?')[0].endsWith('.mts') || url.split('?')[0].endsWith('.mjs') || ESM_SYNTAX.test(source.toString('utf8'))) {
      return { format: 'module', source, shortCircuit: true };
    }
  }
  return next(url, context);
}
