/**
 * YAML parity with PyYAML: every file PyYAML loads must load here with the same value, and every
 * file PyYAML refuses must be refused. Two corpora:
 * - `fixtures/yaml-parity/*.yaml`: snippets written for this test, one construct family per file,
 *   with the values PyYAML gives in `expected.json` (regenerate with
 *   `python3 pyyaml-dump.py . expected.json` in that folder);
 * - a real task tree (e.g. lm-eval's `lm_eval/tasks`) named by LM_EVAL_YAML_PARITY_TREE, loaded
 *   by PyYAML on the spot; skipped with a printed reason when unset or when python3 lacks PyYAML.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { floatRepr, PyFloat } from '../src/python/values.ts';
import { FunctionRef, MAX_ALIAS_NODES, parseYaml } from '../src/task/yaml.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.join(HERE, 'fixtures/yaml-parity');
const DUMP = path.join(CORPUS, 'pyyaml-dump.py');

/** Our value in the tagged form `pyyaml-dump.py` writes. */
function encode(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof FunctionRef) return { __fn__: v.raw };
  if (v instanceof PyFloat) return { __float__: floatRepr(v.value) };
  if (typeof v === 'bigint') return { __int__: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? { __int__: String(v) } : { __float__: floatRepr(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, encode(x)]));
  return { __other__: typeof v };
}

type Outcome = { ok: unknown } | { err: string };

function loadHere(file: string): Outcome {
  try {
    return { ok: encode(parseYaml(fs.readFileSync(file, 'utf8'), { file, requireMapping: false })) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

/** Key order is not part of the comparison (Python dicts keep insertion order; so do we, but json sorts). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function compare(root: string, expected: Record<string, Outcome>): string[] {
  const problems: string[] = [];
  for (const [rel, want] of Object.entries(expected)) {
    const got = loadHere(path.join(root, rel));
    if ('err' in want) {
      if (!('err' in got)) problems.push(`${rel}: PyYAML refuses it (${want.err}), we load it`);
    } else if ('err' in got) problems.push(`${rel}: PyYAML loads it, we fail: ${got.err}`);
    else if (!canonical(want.ok).includes('__timestamp__') && canonical(got.ok) !== canonical(want.ok)) problems.push(`${rel}: different value`);
  }
  return problems;
}

describe('YAML parity with PyYAML', () => {
  it('written corpus: every construct loads as PyYAML loads it', () => {
    const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as Record<string, Outcome>;
    const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.yaml'));
    expect(Object.keys(expected).sort()).toEqual(files.sort());
    expect(compare(CORPUS, expected)).toEqual([]);
    // the cases this corpus exists for
    expect(loadHere(path.join(CORPUS, 'quoted-multiline.yaml'))).toHaveProperty('ok');
    expect(Object.values(expected).filter((o) => 'err' in o).length).toBeGreaterThan(0);
  });

  it('an alias bomb ("billion laughs") is refused with a clear message instead of expanding', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const t0 = Date.now();
    expect(() => parseYaml(lines.join('\n'), { file: 'bomb.yaml' })).toThrow(
      `bomb.yaml: YAML aliases expand to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} nodes`,
    );
    expect(Date.now() - t0).toBeLessThan(30_000); // it stops early instead of building 9^9 nodes
    // a few aliases are fine
    expect(parseYaml('a: &a [1, 2]\nb: [*a, *a, *a]', { file: 'ok.yaml' })).toEqual({ a: [1, 2], b: [[1, 2], [1, 2], [1, 2]] });
  });

  const tree = process.env.LM_EVAL_YAML_PARITY_TREE;
  const pyyaml = tree ? spawnSync('python3', ['-c', 'import yaml'], { timeout: 180_000, encoding: 'utf8' }) : null;
  const pyyamlMissing =
    pyyaml && ((pyyaml.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || /ModuleNotFoundError/.test(pyyaml.stderr ?? ''));
  // a probe that fails for another reason (timeout, crash) fails the test instead of skipping it
  if (pyyaml && !pyyamlMissing && (pyyaml.error || pyyaml.status !== 0)) throw new Error(`probing python3 for PyYAML failed: ${pyyaml.error?.message ?? pyyaml.stderr}`);
  const skipReason = !tree
    ? 'LM_EVAL_YAML_PARITY_TREE is not set (point it at a task tree such as lm-eval\'s lm_eval/tasks)'
    : !fs.existsSync(tree)
      ? `LM_EVAL_YAML_PARITY_TREE=${tree} does not exist`
      : pyyamlMissing
        ? 'python3 with PyYAML is not available'
        : '';
  if (skipReason) console.log(`[yaml-parity] real tree check skipped: ${skipReason}`);
  it.skipIf(Boolean(skipReason))('real task tree: every file loads as PyYAML loads it', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-parity-')), 'expected.json');
    execFileSync('python3', [DUMP, tree!, out], { timeout: 600_000 });
    const expected = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, Outcome>;
    const problems = compare(tree!, expected);
    console.log(`[yaml-parity] ${Object.keys(expected).length - problems.length} of ${Object.keys(expected).length} files as PyYAML`);
    expect(problems).toEqual([]);
  }, 900_000);
});
