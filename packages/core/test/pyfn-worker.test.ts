/**
 * The Python helper worker (core pyfn/): values cross both ways unchanged, errors carry the
 * Python traceback's last lines, the worker stops with the run and when its parent dies, and
 * the datasets.Dataset stand-in behaves as Hugging Face `datasets` does for what helpers use.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { callPython, closePythonHelpers, configurePythonHelpers, mapBatched, pythonCallable, PythonHelperError, resolvePending } from '../src/pyfn/index.ts';
import { lmEvalImportsMissingFromStandIn } from '../src/pyfn/stand-in.ts';
import { aggregateGroup } from '../src/evaluate/group-aggregate.ts';
import { FunctionRef } from '../src/task/yaml.ts';
import { PyFloat, PyTuple, pyRepr, tuple } from '../src/python/values.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(here, 'fixtures/pyfn');
const WORKER_DIR = path.resolve(here, '../worker');
const py = (name: string) => pythonCallable(new FunctionRef('helpers', name, DIR, `helpers.${name}`, path.join(DIR, 'task.yaml')), path.join(DIR, 'helpers.py'));

const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const skip = probe.status !== 0 ? 'python3 with numpy is needed' : null;
if (skip) console.log(`[pyfn worker tests] SKIPPED: ${skip}`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 100) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

describe.skipIf(skip !== null)('Python helper worker', () => {
  afterAll(() => closePythonHelpers());

  it('values cross unchanged both ways (int/float, None, tuples, nesting, non-ASCII, big ints)', async () => {
    const value = [1, new PyFloat(1), 1.5, null, true, tuple<unknown>(1, 'a'), { a: [tuple(2)], 'é': 'ß😀' }, 2n ** 70n, -0.25, 'line\nbreak "q"'];
    expect(await callPython(py('reprs'), [value])).toBe("[1, 1.0, 1.5, None, True, (1, 'a'), {'a': [(2,)], 'é': 'ß😀'}, 1180591620717411303424, -0.25, 'line\\nbreak \"q\"']");
    const back = (await callPython(py('identity'), [value])) as unknown[];
    expect(pyRepr(back)).toBe(pyRepr(value));
    expect(back[1]).toBeInstanceOf(PyFloat);
    expect(back[5]).toBeInstanceOf(PyTuple);
  });

  it('synchronous calls are answered in one batch per function', async () => {
    const fn = py('reprs');
    const docs = Array.from({ length: 50 }, (_, i) => ({ i, f: new PyFloat(i) }));
    const out = await mapBatched(docs, (d) => fn(d));
    expect(out[3]).toBe("{'i': 3, 'f': 3.0}");
    // answered from the cache now
    expect(fn(docs[7])).toBe("{'i': 7, 'f': 7.0}");
  });

  it('a group aggregation given as a Python function', async () => {
    const leaves = [
      { name: 'a', results: { 'acc,none': 0.25, 'acc_stderr,none': 0.1 }, sampleLen: 4 },
      { name: 'b', results: { 'acc,none': 0.75, 'acc_stderr,none': 0.1 }, sampleLen: 4 },
    ];
    const groupMax = py('group_max');
    const agg = await resolvePending(() => aggregateGroup('g', [{ metric: 'acc', aggregation: groupMax as never }], leaves, 'latest'));
    expect(agg.metrics[0]).toEqual(['acc,none', 0.75]);
  });

  it('a Python exception names the function and ends with the traceback tail', async () => {
    const err = (await callPython(py('fails'), [{ a: 1 }]).catch((e) => e)) as PythonHelperError;
    expect(err).toBeInstanceOf(PythonHelperError);
    expect(err.message).toContain("task.yaml: !function helpers.fails: fails raised: KeyError: 'missing'");
    expect(err.message).toContain('return doc["missing"]');
  });

  it('an unknown name lists what the module defines', async () => {
    const err = (await callPython(py('nope'), []).catch((e) => e)) as PythonHelperError;
    expect(err.message).toMatch(/has no attribute 'nope' \(defines: fails, group_max, identity, lm_eval_helpers, os, pid, reprs, seeded, stand_ins\)/);
  });

  it('a module that fails to import names the line and suggests installing what is missing', async () => {
    const broken = pythonCallable(new FunctionRef('broken', 'f', DIR, 'broken.f', path.join(DIR, 'task.yaml')), path.join(DIR, 'broken.py'));
    const err = (await callPython(broken, [{}]).catch((e) => e)) as PythonHelperError;
    expect(err.message).toContain("ModuleNotFoundError: No module named 'no_such_module_xyz' (at broken.py:1 in <module>: import no_such_module_xyz");
    expect(err.hint).toContain("Install 'no_such_module_xyz'");
  });

  it('`import datasets` and `lm_eval.api.filter` work without those packages (stand-ins)', async () => {
    const [rows] = (await callPython(py('stand_ins'), [])) as [unknown[], string];
    expect(rows).toEqual([{ a: 1, b: 2 }, { a: 2, b: 4 }]);
  });

  // the expected values are what lm-eval's own modules return for the same calls
  it('the lm_eval filter modules, metrics and utils helpers import without the lm_eval package and behave as lm-eval\'s', async () => {
    expect(await callPython(py('lm_eval_helpers'), [])).toEqual([
      true,
      [['1,234', '[invalid]']],
      [['22', '[invalid]']],
      [['(B)', '(B)', 'A']],
      [['y']],
      ['x'],
      [[1, 0]],
      'It isn\'t (really)"so", is it ?',
      new PyFloat(1),
    ]);
  });

  it("a helper inside an lm_eval/tasks tree imports its siblings as lm_eval.tasks.… (statically checked too)", async () => {
    const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'pyfn-tree-')), 'lm_eval', 'tasks');
    mkdirSync(path.join(root, 'fam', 'xx'), { recursive: true });
    writeFileSync(path.join(root, 'fam', 'lang_libs.py'), 'LIBS = {"xx": "Answer:"}\n');
    writeFileSync(
      path.join(root, 'fam', 'xx', 'utils.py'),
      'from lm_eval.tasks.fam.lang_libs import LIBS\nfrom lm_eval.filters.extraction import RegexFilter\n\n\ndef prefix(doc):\n    return LIBS["xx"] + " " + doc["q"]\n',
    );
    writeFileSync(path.join(root, 'fam', 'xx', 'broken.py'), 'from lm_eval.tasks.fam.lang_libs import NOPE\nfrom lm_eval.tasks.other import thing\nfrom lm_eval.models import huggingface\n');
    const dir = path.join(root, 'fam', 'xx');
    const fn = pythonCallable(new FunctionRef('utils', 'prefix', dir, 'utils.prefix', path.join(dir, 't.yaml')), path.join(dir, 'utils.py'));
    expect(await callPython(fn, [{ q: 'why?' }])).toBe('Answer: why?');
    expect(lmEvalImportsMissingFromStandIn(path.join(dir, 'utils.py'))).toEqual([]);
    expect(lmEvalImportsMissingFromStandIn(path.join(dir, 'broken.py'))).toEqual(['lm_eval.tasks.fam.lang_libs.NOPE', 'lm_eval.tasks.other', 'lm_eval.models']);
  });

  it('random is seeded like lm-eval (--seed)', async () => {
    await closePythonHelpers();
    configurePythonHelpers({ seeds: { random: 0, numpy: 1234 } });
    const expected = spawnSync('python3', ['-c', 'import random; random.seed(0); print(repr(random.random()))'], { encoding: 'utf8' }).stdout.trim();
    expect(pyRepr(await callPython(py('seeded'), []))).toBe(expected);
  });

  it('close() stops the worker', async () => {
    const pid = (await callPython(py('pid'), [])) as number;
    expect(alive(pid)).toBe(true);
    await closePythonHelpers();
    expect(await waitGone(pid, 5000)).toBe(true);
  });

  it('the worker exits when its parent process is SIGKILLed (no orphan)', async () => {
    const node = spawn(process.execPath, ['--import', 'tsx', path.join(DIR, 'hold-worker.mts')], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(here, '../../..') });
    const pid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      node.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(Number(buf.trim()));
      });
      node.once('exit', () => reject(new Error('holder exited early')));
    });
    expect(alive(pid)).toBe(true);
    node.kill('SIGKILL');
    expect(await waitGone(pid, 10_000)).toBe(true);
  });
});

describe.skipIf(skip !== null)('datasets.Dataset stand-in', () => {
  it('behaves like Hugging Face datasets for the methods helpers use', () => {
    const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(WORKER_DIR)})
import numpy as np
from lm_eval_pyfn_dataset import Dataset
ds = Dataset.from_list([{"a": i, "b": str(i), "c": {"x": i, "y": [i]}, "n": (None if i == 2 else 5 - i)} for i in range(5)])
out = {}
out["cols"] = ds.column_names
out["len"] = len(ds)
out["map_rm"] = ds.map(lambda r, i: {"s": r["a"] * 10 + i}, with_indices=True, remove_columns=["a", "c"]).to_list()[:2]
out["batched"] = ds.map(lambda b: {"w": [x for x in b["b"] for _ in (0, 1)]}, batched=True, batch_size=2, remove_columns=ds.column_names)["w"]
out["filter_idx"] = ds.filter(lambda r, i: i % 2 == 0, with_indices=True)["a"]
out["filter_batched"] = ds.filter(lambda b: [x > 2 for x in b["a"]], batched=True)["a"]
out["sort"] = ds.sort("n")["a"]
out["sort_rev"] = ds.sort("n", reverse=True)["a"]
out["shuffle"] = ds.shuffle(seed=42)["a"]
out["perm"] = [int(x) for x in np.random.default_rng(42).permutation(5)]
out["select"] = ds.select([4, 0])["b"]
out["rename"] = ds.rename_columns({"a": "A", "b": "B"}).column_names
out["rename1"] = ds.rename_column("a", "z").column_names
out["add"] = ds.add_column("k", list("vwxyz")).to_list()[1]
out["flat"] = ds.flatten().column_names
out["slice"] = ds[1:3]["a"]
out["row"] = ds[-1]["b"]
out["features"] = repr(ds.features["a"])
out["unique"] = Dataset.from_dict({"t": [1, 1, 2]}).unique("t")
out["none_keeps"] = ds.map(lambda r: None).to_list() == ds.to_list()
print(json.dumps(out))
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.cols).toEqual(['a', 'b', 'c', 'n']);
    expect(out.len).toBe(5);
    // remove_columns drops input columns after the function read them
    expect(out.map_rm).toEqual([{ b: '0', n: 5, s: 0 }, { b: '1', n: 4, s: 11 }]);
    expect(out.batched).toEqual(['0', '0', '1', '1', '2', '2', '3', '3', '4', '4']);
    expect(out.filter_idx).toEqual([0, 2, 4]);
    expect(out.filter_batched).toEqual([3, 4]);
    expect(out.sort).toEqual([4, 3, 1, 0, 2]); // None last
    expect(out.sort_rev).toEqual([0, 1, 3, 4, 2]);
    expect(out.shuffle).toEqual(out.perm);
    expect(out.select).toEqual(['4', '0']);
    expect(out.rename).toEqual(['A', 'B', 'c', 'n']);
    expect(out.rename1).toEqual(['z', 'b', 'c', 'n']);
    expect(out.add).toEqual({ a: 1, b: '1', c: { x: 1, y: [1] }, n: 4, k: 'w' });
    expect(out.flat).toEqual(['a', 'b', 'c.x', 'c.y', 'n']);
    expect(out.slice).toEqual([1, 2]);
    expect(out.row).toBe('4');
    expect(out.features).toBe("Value(dtype='int64', id=None)");
    expect(out.unique).toEqual([1, 2]);
    expect(out.none_keeps).toBe(true);
  });
});
