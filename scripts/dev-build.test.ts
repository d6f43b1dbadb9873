/**
 * scripts/dev-build.mjs and the repository binary's choice between the dev build and the sources
 * (packages/cli/bin/lm-eval.mjs), on a small workspace laid out as this one: the real binary, the
 * real script, two packages whose output says whether it came from the build or through tsx.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

function copy(rel: string, to = rel): void {
  mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
  copyFileSync(path.join(ROOT, rel), path.join(dir, to));
}

/** What the workspace's `lm-eval` prints: `<core's greeting> <build|sources>`. */
function lmEval(env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(process.execPath, [path.join(dir, 'packages/cli/bin/lm-eval.mjs')], {
    cwd: dir,
    env: { ...process.env, LM_EVAL_FROM_SOURCES: '', ...env },
    encoding: 'utf8',
  }).trim();
}

function build(): void {
  execFileSync(process.execPath, [path.join(dir, 'scripts/dev-build.mjs')], { cwd: dir, encoding: 'utf8' });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dev-build-'));
  copy('scripts/dev-build.mjs');
  copy('tsconfig.json');
  copy('packages/cli/bin/lm-eval.mjs');
  copy('packages/cli/bin/helper-hooks.mjs');
  for (const dep of ['tsx', 'esbuild']) {
    mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    symlinkSync(realpathSync(path.join(ROOT, 'node_modules', dep)), path.join(dir, 'node_modules', dep));
  }
  const manifest = (name: string) =>
    JSON.stringify({ name: `@lm-eval/${name}`, type: 'module', exports: { '.': './src/index.ts' }, publishConfig: { exports: { '.': './dist/index.js' } } });
  write('packages/core/package.json', manifest('core'));
  write('packages/core/src/index.ts', "export const greeting: string = 'v1';\n");
  write('packages/cli/package.json', manifest('cli'));
  // pnpm links workspace dependencies: from the sources, @lm-eval/core is core's src/
  mkdirSync(path.join(dir, 'packages/cli/node_modules/@lm-eval'), { recursive: true });
  symlinkSync('../../../core', path.join(dir, 'packages/cli/node_modules/@lm-eval/core'));
  write('packages/cli/bin/lm-eval-dist.mjs', "const { main } = await import('../dist/main.js');\nprocess.exitCode = await main();\n");
  write('packages/cli/src/where.ts', "export const where = (): string => (import.meta.url.endsWith('.ts') ? 'sources' : 'build');\n");
  write(
    'packages/cli/src/main.ts',
    "import { greeting } from '@lm-eval/core';\nimport { where } from './where.ts';\n" +
      "export async function main(): Promise<number> {\n  process.stdout.write(`${greeting} ${where()}\\n`);\n  return 0;\n}\n",
  );
  write('packages/cli/src/main.test.ts', '// a test file: not compiled, not an input\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dev build', () => {
  it('runs the sources until built, then the build while the set of input files and their stats are as recorded', () => {
    write('packages/core/src/old.ts', 'export const old = 1;\n');
    expect(lmEval()).toBe('v1 sources');
    build();
    expect(lmEval()).toBe('v1 build');
    const built = path.join(dir, 'node_modules/.lm-eval-dev/node_modules/@lm-eval');
    expect(readFileSync(path.join(built, 'cli/dist/main.js'), 'utf8')).toContain('"./where.js"');
    expect(JSON.parse(readFileSync(path.join(built, 'core/package.json'), 'utf8')).exports).toEqual({ '.': './dist/index.js' });
    expect(lmEval({ LM_EVAL_FROM_SOURCES: '1' })).toBe('v1 sources');
    // an added file, then the same set as recorded again
    write('packages/core/src/extra.ts', 'export const extra = 1;\n');
    expect(lmEval()).toBe('v1 sources');
    rmSync(path.join(dir, 'packages/core/src/extra.ts'));
    expect(lmEval()).toBe('v1 build');
    // test files and test data are not compiled, nor inputs
    write('packages/cli/src/main.test.ts', '// edited\n');
    write('packages/cli/src/testdata/cases.json', '[]\n');
    expect(lmEval()).toBe('v1 build');
    rmSync(path.join(dir, 'packages/core/src/old.ts'));
    expect(lmEval()).toBe('v1 sources');
  });

  it('runs the sources after an edit, never the stale build, until rebuilt', () => {
    write('packages/core/src/index.ts', "export const greeting: string = 'v2';\n");
    expect(lmEval()).toBe('v2 sources');
    build();
    expect(lmEval()).toBe('v2 build');
  });

  it('sees an edit whose file time was set back to the recorded one, and an edited package.json', () => {
    const file = path.join(dir, 'packages/core/src/index.ts');
    const T = 1_700_000_000; // whole seconds: set back exactly
    utimesSync(file, T, T);
    build();
    expect(lmEval()).toBe('v2 build');
    const before = statSync(file);
    writeFileSync(file, "export const greeting: string = 'v3';\n"); // same size
    utimesSync(file, T, T);
    const after = statSync(file);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    expect(lmEval()).toBe('v3 sources');
    build();
    expect(lmEval()).toBe('v3 build');
    write('packages/core/package.json', readFileSync(path.join(dir, 'packages/core/package.json'), 'utf8') + '\n');
    expect(lmEval()).toBe('v3 sources');
  });
});
