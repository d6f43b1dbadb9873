import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePyJson, pyJsonDumps } from '../python/json.ts';
import { pyRepr } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';
import { loadDatasetSplits } from './load.ts';
import { DatasetNotFoundError, SplitNotFoundError } from './errors.ts';

const FIX = fileURLToPath(new URL('../../test/fixtures/data/', import.meta.url));
const ORACLE = fileURLToPath(new URL('../../test/fixtures/oracle/', import.meta.url));

let tmp: string;
let emptyCwd: string;
/** An environment with no mirror and an empty, offline Hub cache. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lmeval-data-'));
  emptyCwd = join(tmp, 'cwd');
  await mkdir(emptyCwd);
  env = { HF_HUB_CACHE: join(tmp, 'hub'), HF_HUB_OFFLINE: '1', HF_HOME: join(tmp, 'hf') };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('packaged builders with data_files', () => {
  it('a plain path means split train; relative to the CWD', async () => {
    const out = await loadDatasetSplits(
      { datasetPath: 'json', datasetKwargs: { data_files: 'mixed.jsonl' } },
      { splits: ['train'], cwd: FIX, env },
    );
    expect(Object.keys(out)).toEqual(['train']);
    expect(out.train).toHaveLength(3);
  });

  it('a per-split mapping with globs; only the asked splits are read', async () => {
    const out = await loadDatasetSplits(
      {
        datasetPath: 'json',
        datasetKwargs: { data_files: { train: 'localdir/data/train-*.jsonl', test: ['localdir/data/test-*'], broken: 'nope/*.jsonl' } },
      },
      { splits: ['test', 'train', 'test'], cwd: FIX, env },
    );
    expect(Object.keys(out)).toEqual(['test', 'train']);
    expect(pyRepr(out)).toBe("{'test': [{'x': 3}], 'train': [{'x': 1}, {'x': 2}]}");
  });

  it('falls back to the task YAML folder when the CWD has no match', async () => {
    const out = await loadDatasetSplits(
      { datasetPath: 'csv', datasetKwargs: { data_files: { test: 'table.csv' } } },
      { splits: ['test'], cwd: emptyCwd, yamlDir: FIX, env },
    );
    expect(out.test).toHaveLength(4);
    expect(Object.keys(out.test[0])).toEqual(['id', 'count', 'ratio', 'flag', 'text', 'empty', 'id.1']);
  });

  it('parquet and text builders, absolute paths, builder options from dataset_kwargs', async () => {
    const pq = await loadDatasetSplits(
      { datasetPath: 'parquet', datasetKwargs: { data_files: { validation: join(FIX, 'mixed.parquet') } } },
      { splits: ['validation'], cwd: emptyCwd, env },
    );
    expect(pq.validation.map((r) => r.id)).toEqual(['q1', 'q2', null]);
    const txt = await loadDatasetSplits(
      { datasetPath: 'text', datasetKwargs: { data_files: { test: 'lines.txt' }, sample_by: 'paragraph' } },
      { splits: ['test'], cwd: FIX, env },
    );
    expect(txt.test).toHaveLength(2);
    const js = await loadDatasetSplits(
      { datasetPath: 'json', datasetKwargs: { data_files: { test: 'nested.json' }, field: 'data' } },
      { splits: ['test'], cwd: FIX, env },
    );
    expect(js.test.map((r) => r.q)).toEqual(['first', 'second']);
  });

  it('data_dir without data_files: splits inferred from the folder', async () => {
    const out = await loadDatasetSplits(
      { datasetPath: 'json', datasetKwargs: { data_dir: 'localdir/data' } },
      { splits: ['train', 'test'], cwd: emptyCwd, yamlDir: FIX, env },
    );
    expect(pyRepr(out)).toBe("{'train': [{'x': 1}, {'x': 2}], 'test': [{'x': 3}]}");
  });

  it('a missing split names the dataset, the split and the splits that exist', async () => {
    const err = await errorOf(
      loadDatasetSplits(
        { datasetPath: 'json', datasetKwargs: { data_files: { train: 'mixed.jsonl', validation: 'records.json' } } },
        { splits: ['test'], cwd: FIX, env },
      ),
    );
    expect(err).toBeInstanceOf(SplitNotFoundError);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toBe("Split 'test' not found in dataset dataset_path='json'; available splits: 'train', 'validation'");
  });

  it('a pattern that matches nothing names the places looked at', async () => {
    const err = await errorOf(
      loadDatasetSplits({ datasetPath: 'json', datasetKwargs: { data_files: { test: 'nope-*.jsonl' } } }, { splits: ['test'], cwd: emptyCwd, yamlDir: FIX, env }),
    );
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect(err.message).toContain("data_files pattern 'nope-*.jsonl' of split 'test' matched no file");
    expect(err.message).toContain(emptyCwd);
    expect(err.message).toContain(FIX);
  });

  it('no data_files nor data_dir is an error', async () => {
    await expect(loadDatasetSplits({ datasetPath: 'json' }, { splits: ['test'], env })).rejects.toThrow(/needs dataset_kwargs.data_files/);
  });
});

describe('a local folder as dataset_path', () => {
  it('README configs: the default config, hidden folders ignored', async () => {
    const out = await loadDatasetSplits({ datasetPath: 'localdir' }, { splits: ['train', 'test'], cwd: FIX, env });
    expect(pyRepr(out)).toBe("{'train': [{'x': 1}, {'x': 2}], 'test': [{'x': 3}]}");
  });

  it('a named config with data_dir (csv inferred from the extension)', async () => {
    const out = await loadDatasetSplits({ datasetPath: 'localdir', datasetName: 'extra' }, { splits: ['validation'], cwd: emptyCwd, yamlDir: FIX, env });
    expect(pyRepr(out)).toBe("{'validation': [{'q': 'what', 'a': 1}]}");
  });

  it('an unknown config lists the configs', async () => {
    await expect(loadDatasetSplits({ datasetPath: join(FIX, 'localdir'), datasetName: 'nope' }, { splits: ['test'], env })).rejects.toThrow(
      /Config 'nope' not found .*available configs: 'main', 'extra'/,
    );
  });

  it('inferred splits; a split that is not there lists the others', async () => {
    const out = await loadDatasetSplits({ datasetPath: 'inferred' }, { splits: ['validation'], cwd: FIX, env });
    expect(pyRepr(out)).toBe("{'validation': [{'t': 'b'}]}");
    const err = await errorOf(loadDatasetSplits({ datasetPath: 'inferred' }, { splits: ['test'], cwd: FIX, env }));
    expect(err.message).toMatch(/Split 'test' not found in dataset dataset_path='inferred'; available splits: 'train', 'validation'/);
  });
});

describe('other dataset_path errors', () => {
  it('loading scripts, bad paths, missing dataset_path', async () => {
    await expect(loadDatasetSplits({ datasetPath: 'x/loader.py' }, { splits: ['test'], env })).rejects.toThrow(/loading scripts/);
    await expect(loadDatasetSplits({ datasetPath: './no/such/dir' }, { splits: ['test'], cwd: emptyCwd, env })).rejects.toThrow(/no such folder/);
    await expect(loadDatasetSplits({}, { splits: ['test'], env })).rejects.toThrow(/no dataset_path/);
  });

  it('a Hub dataset missing from the cache while offline', async () => {
    const err = await errorOf(loadDatasetSplits({ datasetPath: 'acme/nothing', datasetName: 'cfg' }, { splits: ['test'], cwd: emptyCwd, env }));
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect(err.message).toContain("dataset_path='acme/nothing', dataset_name='cfg'");
    expect(err.message).toContain('HF_HUB_OFFLINE');
  });
});

describe('offline mirror (LM_EVAL_DATASETS_DIR)', () => {
  it('every oracle fixture round-trips: same docs, key order and Python types', async () => {
    const mirror = join(tmp, 'mirror');
    const tasks = (await readdir(ORACLE, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(tasks.length).toBeGreaterThan(5);
    for (const task of tasks) {
      const docs = parsePyJson(await readFile(join(ORACLE, task, 'docs.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>[]>>;
      for (const [key, splits] of Object.entries(docs)) {
        const [path, rawName] = key.split('|');
        const name = rawName === 'None' ? null : rawName;
        const dir = join(mirror, ...path.split('/'), name ?? 'default');
        await mkdir(dir, { recursive: true });
        for (const [split, rows] of Object.entries(splits)) {
          await writeFile(join(dir, `${split}.jsonl`), rows.map((r) => pyJsonDumps(r, { ensureAscii: false }) + '\n').join(''));
        }
        const out = await loadDatasetSplits(
          { datasetPath: path, datasetName: name },
          // A closed endpoint: any network access would fail the test.
          { splits: Object.keys(splits), env: { LM_EVAL_DATASETS_DIR: mirror, HF_ENDPOINT: 'http://127.0.0.1:9', HF_HUB_CACHE: join(tmp, 'none') } },
        );
        expect(pyRepr(out), `${task} ${key}`).toBe(pyRepr(splits));
      }
    }
  });

  it('.json/.parquet/.csv files too; a split missing from the mirror falls through to the other sources', async () => {
    const mirror = join(tmp, 'mirror2');
    const dir = join(mirror, 'acme', 'thing', 'default');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'test.parquet'), await readFile(join(FIX, 'mixed.parquet')));
    await writeFile(join(dir, 'train.csv'), 'a,b\n1,x\n');
    await writeFile(join(dir, 'validation.json'), '[{"k": 1.0}]');
    const menv = { ...env, LM_EVAL_DATASETS_DIR: mirror };
    const out = await loadDatasetSplits({ datasetPath: 'acme/thing' }, { splits: ['test', 'train', 'validation'], env: menv });
    expect(out.test).toHaveLength(3);
    expect(pyRepr(out.train)).toBe("[{'a': 1, 'b': 'x'}]");
    expect(pyRepr(out.validation)).toBe("[{'k': 1.0}]");
    const err = await errorOf(loadDatasetSplits({ datasetPath: 'acme/thing' }, { splits: ['dev'], env: menv }));
    expect(err.message).toContain('LM_EVAL_DATASETS_DIR is set');
    expect(err.message).toContain('splits test, train, validation');
  });
});
