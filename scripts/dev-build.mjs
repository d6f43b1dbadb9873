#!/usr/bin/env node
/**
 * The dev build: the repository's `lm-eval` binary (packages/cli/bin/lm-eval.mjs) runs the
 * packages' TypeScript sources through tsx, which answers every import from a loader thread and
 * compiles each module on each start. This script compiles them once, with esbuild (the compiler
 * tsx itself runs, with tsx's options: ES module output, `keepNames`), one output file per
 * source file, into `node_modules/.lm-eval-dev`, laid out as an npm install of the packed packages
 * (`node_modules/@lm-eval/<name>/{package.json,dist,bin}` with the `publishConfig` exports), so
 * that `@lm-eval/*` imports between the built packages resolve to each other's build:
 * - relative `.ts` imports become `.js` (as tsc's rewriteRelativeImportExtensions does for the
 *   published build); other files under `src/` are copied;
 * - a package's dependencies, its `worker/` folder, and @lm-eval/core's bundled `tasks/` and
 *   `models/stories260k` are links to the repository's own, so they are always current (task
 *   helpers in TypeScript load through tsx, registered before the first helper import);
 * - `stamp.json` records the stat (size, mtime, ctime, inode) of every input, taken before
 *   compiling: each package's `package.json` and `src/` files (tests and `testdata/` or
 *   `fixtures/` folders excepted), the CLI's
 *   `bin/lm-eval-dist.mjs` and `bin/helper-hooks.mjs`, the root `tsconfig.json` and this script.
 *
 * The binary runs the build only when {@link currentDevBuild} finds every input with its recorded
 * stat and no input added or removed; after any edit it runs the sources through tsx as before.
 * `pnpm install` runs this script (the root `prepare` script); rerun it after editing sources to
 * get the fast start back. `LM_EVAL_FROM_SOURCES=1` makes the binary ignore the build.
 *
 * Usage: node scripts/dev-build.mjs
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the build goes (git-ignored, and skipped by every tool that skips node_modules). */
const DEV_BUILD_DIR = path.join(ROOT, 'node_modules', '.lm-eval-dev');
const STAMP = 'stamp.json';
const STAMP_VERSION = 1;
/** Files of @lm-eval/cli's `bin/` that the build carries: the packed binary and its module hooks. */
const CLI_BIN_FILES = ['lm-eval-dist.mjs', 'helper-hooks.mjs'];
const ROOT_INPUTS = ['tsconfig.json', 'scripts/dev-build.mjs'];

const isTest = (name) => name.endsWith('.test.ts');
/** Folders of test data under src/, neither compiled nor copied (as in the published build). */
const TEST_DIRS = new Set(['testdata', 'fixtures']);

/** The workspace packages: folders of `packages/` with a package.json. */
function packageNames(root) {
  return readdirSync(path.join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, 'packages', d.name, 'package.json')))
    .map((d) => d.name)
    .sort();
}

/** Files under `dir` (relative to `root`, `/`-separated), tests and test data excepted. */
function sourceFiles(root, dir, out = []) {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!TEST_DIRS.has(entry.name)) sourceFiles(root, rel, out);
    } else if (!isTest(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

/** Every input of the build, relative to `root`. */
function devBuildInputs(root) {
  const files = [...ROOT_INPUTS];
  for (const name of packageNames(root)) {
    files.push(`packages/${name}/package.json`);
    if (existsSync(path.join(root, 'packages', name, 'src'))) sourceFiles(root, `packages/${name}/src`, files);
  }
  for (const f of CLI_BIN_FILES) files.push(`packages/cli/bin/${f}`);
  return files;
}

/** `path -> "size mtime ctime inode"` for every input; a missing input maps to `missing`. */
function inputStats(root) {
  const stats = {};
  for (const rel of devBuildInputs(root)) {
    try {
      const s = statSync(path.join(root, rel));
      stats[rel] = `${s.size} ${s.mtimeMs} ${s.ctimeMs} ${s.ino}`;
    } catch {
      stats[rel] = 'missing';
    }
  }
  return stats;
}

/**
 * The built binary (`<build>/node_modules/@lm-eval/cli/bin/lm-eval-dist.mjs`) when the build is
 * current: its stamp lists exactly the inputs there are now, each with the same stat. Otherwise
 * (no build, an input edited, added or removed, an unreadable stamp) `undefined`.
 */
export function currentDevBuild() {
  const root = ROOT;
  const buildDir = DEV_BUILD_DIR;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(buildDir, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
  if (stamp?.version !== STAMP_VERSION || typeof stamp.inputs !== 'object' || stamp.inputs === null) return undefined;
  const now = inputStats(root);
  const recorded = stamp.inputs;
  const names = Object.keys(now);
  if (names.length !== Object.keys(recorded).length) return undefined;
  for (const name of names) if (now[name] === 'missing' || recorded[name] !== now[name]) return undefined;
  const bin = path.join(buildDir, 'node_modules', '@lm-eval', 'cli', 'bin', 'lm-eval-dist.mjs');
  return existsSync(bin) ? bin : undefined;
}

/** package.json as published: `publishConfig` fields replace the workspace ones. */
function publishedManifest(manifest) {
  const { publishConfig, ...rest } = manifest;
  return { ...rest, ...(publishConfig ?? {}) };
}

/** Relative symlink `at` -> `target` (both absolute). */
function link(target, at) {
  mkdirSync(path.dirname(at), { recursive: true });
  symlinkSync(path.relative(path.dirname(at), target), at);
}

/** Links to a package's installed dependencies, other than the workspace's own packages. */
function linkDependencies(srcModules, dstModules) {
  if (!existsSync(srcModules)) return;
  for (const entry of readdirSync(srcModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === '@lm-eval') continue;
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(path.join(srcModules, entry.name))) {
        link(path.join(srcModules, entry.name, scoped), path.join(dstModules, entry.name, scoped));
      }
    } else {
      link(path.join(srcModules, entry.name), path.join(dstModules, entry.name));
    }
  }
}

/** esbuild plugin: every import stays an import (nothing is bundled); relative `.ts` -> `.js`. */
const keepImports = {
  name: 'keep-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const spec = /^\.\.?\//.test(args.path) ? args.path.replace(/\.([mc]?)tsx?$/, '.$1js') : args.path;
      return { path: spec, external: true };
    });
  },
};

async function compilePackage(esbuild, root, name, out) {
  const pkg = path.join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
  const files = existsSync(path.join(pkg, 'src')) ? sourceFiles(root, `packages/${name}/src`) : [];
  const ts = files.filter((f) => /\.[mc]?ts$/.test(f) && !f.endsWith('.d.ts'));
  for (const f of files.filter((x) => !ts.includes(x))) {
    cpSync(path.join(root, f), path.join(out, 'dist', path.relative(`packages/${name}/src`, f)));
  }
  if (ts.length > 0) {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: ts,
      outbase: `packages/${name}/src`,
      outdir: path.join(out, 'dist'),
      outExtension: { '.js': '.js' },
      bundle: true,
      plugins: [keepImports],
      format: 'esm',
      platform: 'node',
      target: 'node20',
      keepNames: true,
      logLevel: 'warning',
    });
  }
  if (name === 'cli') for (const f of CLI_BIN_FILES) cpSync(path.join(pkg, 'bin', f), path.join(out, 'bin', f));
  if (existsSync(path.join(pkg, 'worker'))) link(path.join(pkg, 'worker'), path.join(out, 'worker'));
  linkDependencies(path.join(pkg, 'node_modules'), path.join(out, 'node_modules'));
}

/** Builds every package into {@link DEV_BUILD_DIR} (replaced as a whole once complete). */
async function buildDev() {
  const root = ROOT;
  const buildDir = DEV_BUILD_DIR;
  const stats = inputStats(root); // before compiling: an edit made meanwhile leaves the build stale
  const esbuild = await import('esbuild');
  const tmp = `${buildDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const names = packageNames(root);
    await Promise.all(names.map((name) => compilePackage(esbuild, root, name, path.join(tmp, 'node_modules', '@lm-eval', name))));
    // @lm-eval/core finds its bundled tasks and model next to its modules (src/bundled.ts)
    const coreDist = path.join(tmp, 'node_modules', '@lm-eval', 'core', 'dist');
    for (const bundled of ['tasks', 'models/stories260k']) {
      if (existsSync(path.join(root, bundled))) link(path.join(root, bundled), path.join(coreDist, bundled));
    }
    writeFileSync(path.join(tmp, STAMP), `${JSON.stringify({ version: STAMP_VERSION, inputs: stats })}\n`);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true }); // a failed build leaves no half-built folder behind
    throw err;
  }
  rmSync(buildDir, { recursive: true, force: true });
  renameSync(tmp, buildDir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  try {
    await buildDev();
    process.stdout.write(`dev build of the packages in ${((Date.now() - t) / 1000).toFixed(1)} s (node_modules/.lm-eval-dev; lm-eval runs it while the sources are unchanged)\n`);
  } catch (err) {
    // an install must not fail for it: without a build the binary runs the sources through tsx
    rmSync(path.join(DEV_BUILD_DIR, STAMP), { force: true });
    process.stderr.write(`dev build failed (lm-eval will run the sources through tsx): ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
