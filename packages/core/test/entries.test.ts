// The package entries: one exports map for development (src) and publishing (dist), explicit
// named exports only, internals not reachable from the root entry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8')) as {
  exports: Record<string, string>;
  publishConfig: { exports: Record<string, string | { types: string; default: string }> };
};

describe('@lm-eval/core entries', () => {
  it('the published exports map lists the same subpaths as the development one, src -> dist', () => {
    const published = Object.fromEntries(Object.entries(pkg.publishConfig.exports).filter(([k]) => k !== './package.json'));
    expect(Object.keys(published).sort()).toEqual(Object.keys(pkg.exports).sort());
    for (const [sub, src] of Object.entries(pkg.exports)) {
      const js = src.replace('./src/', './dist/').replace(/\.ts$/, '.js');
      expect(published[sub], sub).toEqual({ types: js.replace(/\.js$/, '.d.ts'), default: js });
    }
  });

  it("every package build that compiles against core's dist maps each of its subpaths", () => {
    const repo = path.resolve(PKG_DIR, '../..');
    const builds = ['cli', 'experiments', 'openai', 'transformers', 'vllm'].map((p) => path.join(repo, 'packages', p, 'tsconfig.build.json'));
    for (const file of [...builds, path.join(repo, 'tasks', 'tsconfig.build.json')]) {
      const paths = (JSON.parse(readFileSync(file, 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
      for (const sub of Object.keys(pkg.exports)) {
        const name = path.posix.join('@lm-eval/core', sub);
        const dts = path.resolve(path.dirname(file), paths[name]?.[0] ?? '.');
        expect(path.relative(repo, dts), `${path.relative(repo, file)}: ${name}`).toBe(path.join('packages/core', pkg.publishConfig.exports[sub] && (pkg.publishConfig.exports[sub] as { types: string }).types));
      }
    }
  });

  it('every entry names its exports (no `export *`) and loads', async () => {
    for (const [sub, src] of Object.entries(pkg.exports)) {
      const file = path.join(PKG_DIR, src);
      expect(readFileSync(file, 'utf8'), sub).not.toMatch(/^export \*/m);
      expect(Object.keys(await import(file)).length, sub).toBeGreaterThan(0);
    }
  });

  it('the root entry is the harness API, without internals or test helpers', async () => {
    const root = await import(path.join(PKG_DIR, pkg.exports['.']));
    for (const name of ['evaluate', 'simpleEvaluate', 'TaskManager', 'toPlain', 'registerModel', 'registerMetric', 'registerAggregation', 'registerFilter', 'LmEvalError', 'lmEvalEvents', 'version']) {
      expect(root, name).toHaveProperty(name);
    }
    for (const name of ['pickleDumps', 'fnv1a32', 'dictSet', 'sliceIndices', 'tokenize13a', 'typeError', 'runBackendConformance', 'bundledModelDir', 'runEvaluation', 'pyStr']) {
      expect(root, name).not.toHaveProperty(name);
    }
    expect(root.version).toBe(JSON.parse(readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8')).version);
  });
});
