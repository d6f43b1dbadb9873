#!/usr/bin/env node
/**
 * Module cycle check (madge) over every package's entry points (its exports map), run by `.ci/run`. A cycle fails
 * the check unless it is listed in ALLOWED with the reason it cannot be cut.
 *
 * Usage: node scripts/check-cycles.mjs
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { PACKAGES } from './build-packages.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Cycles that mirror Python's own mutual recursion, as sorted member lists (repository paths). */
const ALLOWED = [
  // str.format looks fields up with getattr/getitem, and getattr on a str returns its bound
  // .format: Python's str methods and attribute access are one object model.
  ['packages/core/src/python/format.ts', 'packages/core/src/python/methods.ts', 'packages/core/src/python/str-methods.ts'],
  ['packages/core/src/python/collections.ts', 'packages/core/src/python/format.ts', 'packages/core/src/python/methods.ts', 'packages/core/src/python/str-methods.ts'],
].map((c) => c.join(' > '));

// every entry of every package's exports map (the root and its subpaths)
const entries = PACKAGES.flatMap((p) =>
  Object.values(JSON.parse(readFileSync(path.join(ROOT, 'packages', p, 'package.json'), 'utf8')).exports).map((e) => path.join('packages', p, e)),
);
const res = await madge(entries.map((e) => path.join(ROOT, e)), {
  baseDir: ROOT,
  fileExtensions: ['ts'],
  tsConfig: path.join(ROOT, 'tsconfig.json'),
  detectiveOptions: { ts: { skipTypeImports: true } },
});
const cycles = res.circular().map((c) => [...c].sort().join(' > '));
const unexpected = [...new Set(cycles)].filter((c) => !ALLOWED.includes(c));
if (unexpected.length) {
  process.stderr.write(`module cycles:\n${unexpected.map((c) => `  ${c}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`no module cycles (${Object.keys(res.obj()).length} modules; ${ALLOWED.length} documented exceptions)\n`);
