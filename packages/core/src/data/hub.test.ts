import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pyRepr } from '../python/values.ts';
import { FakeHub, gitBlobSha1, sha256 } from '../../test/fixtures/data/fake-hub.ts';
import { loadDatasetSplits, type LoadDatasetOptions } from './load.ts';
import { DatasetNotFoundError, SplitNotFoundError } from './errors.ts';
import { hubCacheDir } from './hub-cache.ts';

const FIX = fileURLToPath(new URL('../../test/fixtures/data/', import.meta.url));

const README = `---
pretty_name: tiny
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.jsonl
  - split: test
    path: data/test.parquet
  default: true
- config_name: extra
  data_dir: extra
---
# tiny
`;

let hub: FakeHub;
let tmp: string;
let mixedParquet: Buffer;
let n = 0;

/** A fresh, empty Hub cache pointed at the fake Hub. */
function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  n++;
  return { HF_HUB_CACHE: join(tmp, `hub${n}`), HF_HOME: join(tmp, `home${n}`), HF_ENDPOINT: hub.url, ...extra };
}

function opts(env: NodeJS.ProcessEnv, splits: string[]): LoadDatasetOptions {
  return { splits, env, cwd: tmp };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lmeval-hub-'));
  mixedParquet = await readFile(join(FIX, 'mixed.parquet'));
  hub = new FakeHub({
    'acme/tiny': {
      branches: {
        main: {
          'README.md': README,
          '.gitattributes': '*.parquet filter=lfs\n',
          'data/train-00000-of-00002.jsonl': '{"q": "a", "n": 1}\n',
          'data/train-00001-of-00002.jsonl': '{"q": "b", "n": 2.5}\n',
          'data/test.parquet': mixedParquet,
          'extra/validation.csv': 'x,y\n1,2\n',
        },
      },
    },
    'acme/scripted': {
      branches: {
        main: { 'README.md': '# A dataset with a loading script\n', 'scripted.py': 'print("no")\n', 'data/raw.json': '{"a": 1}\n' },
        'refs/convert/parquet': {
          'ARC-Easy/test/0000.parquet': await readFile(join(FIX, 'arc-test.parquet')),
          'ARC-Easy/train/0000.parquet': await readFile(join(FIX, 'arc-train.parquet')),
          'ARC-Challenge/test-00000-of-00001.parquet': await readFile(join(FIX, 'arc-test.parquet')),
        },
      },
    },
    'acme/gated': { token: 'hf_secret', branches: { main: { 'test.jsonl': '{"ok": true}\n' } } },
  });
  await hub.start();
});

afterAll(async () => {
  await hub.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('Hub datasets (README configs)', () => {
  it('downloads once into the Python-compatible cache, then serves from it with zero requests', async () => {
    const env = freshEnv();
    const before = hub.requests.length;
    const out = await loadDatasetSplits({ datasetPath: 'acme/tiny' }, opts(env, ['train', 'test']));
    expect(pyRepr(out.train)).toBe("[{'q': 'a', 'n': 1.0}, {'q': 'b', 'n': 2.5}]");
    expect(out.test.map((r) => r.id)).toEqual(['q1', 'q2', null]);
    const firstRequests = hub.requests.slice(before);
    expect(firstRequests).toEqual([
      'GET /api/datasets/acme/tiny/revision/main',
      `GET /api/datasets/acme/tiny/tree/${hub.sha('acme/tiny')}`,
      `GET /datasets/acme/tiny/resolve/${hub.sha('acme/tiny')}/README.md`,
      `GET /datasets/acme/tiny/resolve/${hub.sha('acme/tiny')}/data/train-00000-of-00002.jsonl`,
      `GET /datasets/acme/tiny/resolve/${hub.sha('acme/tiny')}/data/train-00001-of-00002.jsonl`,
      `GET /datasets/acme/tiny/resolve/${hub.sha('acme/tiny')}/data/test.parquet`,
    ]);

    // The layout of Python's huggingface_hub.
    const root = join(env.HF_HUB_CACHE!, 'datasets--acme--tiny');
    const sha = hub.sha('acme/tiny');
    expect(await readFile(join(root, 'refs', 'main'), 'utf8')).toBe(sha);
    const pointer = join(root, 'snapshots', sha, 'data', 'test.parquet');
    expect((await lstat(pointer)).isSymbolicLink()).toBe(true);
    expect(await readlink(pointer)).toBe(join('..', '..', '..', 'blobs', sha256(mixedParquet)));
    const readmeBlob = join(root, 'blobs', gitBlobSha1(Buffer.from(README)));
    expect(await readFile(readmeBlob, 'utf8')).toBe(README);

    // Second load: no request at all, same rows.
    const mark = hub.requests.length;
    const again = await loadDatasetSplits({ datasetPath: 'acme/tiny' }, opts(env, ['test', 'train']));
    expect(hub.requests.length).toBe(mark);
    expect(pyRepr(again.train)).toBe(pyRepr(out.train));
    expect(pyRepr(again.test)).toBe(pyRepr(out.test));

    // Offline works from the cache too.
    const off = await loadDatasetSplits({ datasetPath: 'acme/tiny' }, opts({ ...env, HF_HUB_OFFLINE: '1' }, ['train']));
    expect(off.train).toHaveLength(2);
    expect(hub.requests.length).toBe(mark);

    // Another config: not cached → offline fails clearly, online fetches only what is missing.
    const err = await loadDatasetSplits({ datasetPath: 'acme/tiny', datasetName: 'extra' }, opts({ ...env, HF_HUB_OFFLINE: '1' }, ['validation'])).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect(String(err.message)).toMatch(/not in the Hugging Face Hub cache .*HF_HUB_OFFLINE/);
    expect(hub.requests.length).toBe(mark);
    const extra = await loadDatasetSplits({ datasetPath: 'acme/tiny', datasetName: 'extra' }, opts(env, ['validation']));
    expect(pyRepr(extra)).toBe("{'validation': [{'x': 1, 'y': 2}]}");
    expect(hub.requests.slice(mark)).toEqual([
      'GET /api/datasets/acme/tiny/revision/main',
      `GET /api/datasets/acme/tiny/tree/${sha}`,
      `GET /datasets/acme/tiny/resolve/${sha}/extra/validation.csv`,
    ]);
  });

  it('a missing split or config names what exists, before downloading data', async () => {
    const env = freshEnv();
    const e1 = await loadDatasetSplits({ datasetPath: 'acme/tiny' }, opts(env, ['validation'])).catch((e) => e);
    expect(e1).toBeInstanceOf(SplitNotFoundError);
    expect(e1.message).toBe("Split 'validation' not found in dataset dataset_path='acme/tiny'; available splits: 'train', 'test'");
    const e2 = await loadDatasetSplits({ datasetPath: 'acme/tiny', datasetName: 'nope' }, opts(env, ['test'])).catch((e) => e);
    expect(e2).toBeInstanceOf(DatasetNotFoundError);
    expect(e2.message).toMatch(/Config 'nope' not found for dataset_path='acme\/tiny', dataset_name='nope'; available configs: 'default', 'extra'/);
  });

  it('a pinned revision (commit sha) and dataset_kwargs.data_files against the repo', async () => {
    const env = freshEnv();
    const sha = hub.sha('acme/tiny');
    const out = await loadDatasetSplits(
      { datasetPath: 'acme/tiny', datasetKwargs: { revision: sha, data_files: { test: 'extra/*.csv' } } },
      opts(env, ['test']),
    );
    expect(pyRepr(out)).toBe("{'test': [{'x': 1, 'y': 2}]}");
    const mark = hub.requests.length;
    await loadDatasetSplits({ datasetPath: 'acme/tiny', datasetKwargs: { revision: sha, data_files: { test: 'extra/*.csv' } } }, opts(env, ['test']));
    expect(hub.requests.length).toBe(mark);
  });

  it('unknown repos and unreachable endpoints are clear errors', async () => {
    const e1 = await loadDatasetSplits({ datasetPath: 'acme/none' }, opts(freshEnv(), ['test'])).catch((e) => e);
    expect(e1).toBeInstanceOf(DatasetNotFoundError);
    expect(e1.message).toMatch(/Dataset 'acme\/none' not found on the Hub at http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\)/);
    const e2 = await loadDatasetSplits({ datasetPath: 'acme/tiny' }, opts(freshEnv({ HF_ENDPOINT: 'http://127.0.0.1:9' }), ['test'])).catch((e) => e);
    expect(e2.message).toMatch(/Cannot reach the Hugging Face Hub at http:\/\/127\.0\.0\.1:9/);
    expect(e2.hint).toMatch(/HF_HUB_OFFLINE/);
  });
});

describe('Hub Parquet conversion (refs/convert/parquet)', () => {
  it('is used for a repo with a loading script; new and old layouts; cached under refs/refs/convert/parquet', async () => {
    const env = freshEnv();
    const out = await loadDatasetSplits({ datasetPath: 'acme/scripted', datasetName: 'ARC-Easy' }, opts(env, ['test', 'train']));
    expect(out.test.map((r) => r.id)).toEqual(['test-0', 'test-1', 'test-2']);
    expect(pyRepr(out.train[0])).toBe(
      "{'id': 'train-0', 'question': 'train question 0?', 'choices': {'text': ['red', 'green', 'blue'], 'label': ['A', 'B', 'C']}, 'answerKey': 'A'}",
    );
    const root = join(env.HF_HUB_CACHE!, 'datasets--acme--scripted');
    expect(await readFile(join(root, 'refs', 'refs', 'convert', 'parquet'), 'utf8')).toBe(hub.sha('acme/scripted', 'refs/convert/parquet'));
    expect(hub.requests).toContain('GET /api/datasets/acme/scripted/revision/refs%2Fconvert%2Fparquet');

    const mark = hub.requests.length;
    const again = await loadDatasetSplits({ datasetPath: 'acme/scripted', datasetName: 'ARC-Easy' }, opts({ ...env, HF_HUB_OFFLINE: '1' }, ['train']));
    expect(again.train).toHaveLength(2);
    expect(hub.requests.length).toBe(mark);

    const old = await loadDatasetSplits({ datasetPath: 'acme/scripted', datasetName: 'ARC-Challenge' }, opts(env, ['test']));
    expect(old.test).toHaveLength(3);
  });

  it('unknown configs and splits list what the conversion has', async () => {
    const env = freshEnv();
    const e1 = await loadDatasetSplits({ datasetPath: 'acme/scripted', datasetName: 'nope' }, opts(env, ['test'])).catch((e) => e);
    expect(e1.message).toMatch(/config 'nope' not found in the Parquet conversion; available configs: ARC-Challenge, ARC-Easy/);
    const e2 = await loadDatasetSplits({ datasetPath: 'acme/scripted', datasetName: 'ARC-Easy' }, opts(env, ['validation'])).catch((e) => e);
    expect(e2).toBeInstanceOf(SplitNotFoundError);
    expect(e2.message).toMatch(/available splits: 'train', 'test'/);
  });
});

describe('Hub auth', () => {
  it('HF_TOKEN (or the token file under HF_HOME) is sent as a bearer token', async () => {
    const e = await loadDatasetSplits({ datasetPath: 'acme/gated' }, opts(freshEnv(), ['test'])).catch((x) => x);
    expect(e).toBeInstanceOf(DatasetNotFoundError);
    expect(e.hint).toMatch(/HF_TOKEN/);
    const out = await loadDatasetSplits({ datasetPath: 'acme/gated' }, opts(freshEnv({ HF_TOKEN: 'hf_secret' }), ['test']));
    expect(pyRepr(out)).toBe("{'test': [{'ok': True}]}");
    const env = freshEnv();
    await mkdir(env.HF_HOME!, { recursive: true });
    await writeFile(join(env.HF_HOME!, 'token'), 'hf_secret\n');
    expect((await loadDatasetSplits({ datasetPath: 'acme/gated' }, opts(env, ['test']))).test).toHaveLength(1);
  });
});

describe('a cache laid out by hand in Python huggingface_hub layout', () => {
  async function place(root: string, commit: string, path: string, content: Buffer, etag: string): Promise<void> {
    const blob = join(root, 'blobs', etag);
    await mkdir(dirname(blob), { recursive: true });
    await writeFile(blob, content);
    const pointer = join(root, 'snapshots', commit, ...path.split('/'));
    await mkdir(dirname(pointer), { recursive: true });
    await symlink(relative(dirname(pointer), blob), pointer);
  }

  it('is reused offline (repo files and Parquet conversion), without any request', async () => {
    const env = freshEnv({ HF_HUB_OFFLINE: '1' });
    const root = join(hubCacheDir(env), 'datasets--pyorg--handmade');
    const commit = 'a'.repeat(40);
    const pcommit = 'b'.repeat(40);
    await mkdir(join(root, 'refs', 'refs', 'convert'), { recursive: true });
    await writeFile(join(root, 'refs', 'main'), commit);
    await writeFile(join(root, 'refs', 'refs', 'convert', 'parquet'), pcommit);
    await place(root, commit, 'data/test-00000-of-00001.parquet', mixedParquet, sha256(mixedParquet));
    const arc = await readFile(join(FIX, 'arc-train.parquet'));
    await place(root, pcommit, 'cfg/train/0000.parquet', arc, sha256(arc));

    const mark = hub.requests.length;
    const out = await loadDatasetSplits({ datasetPath: 'pyorg/handmade' }, opts(env, ['test']));
    expect(out.test.map((r) => r.id)).toEqual(['q1', 'q2', null]);
    const conv = await loadDatasetSplits({ datasetPath: 'pyorg/handmade', datasetName: 'cfg' }, opts(env, ['train']));
    expect(conv.train.map((r) => r.id)).toEqual(['train-0', 'train-1']);
    // Also online: the cache answers first.
    const online = await loadDatasetSplits({ datasetPath: 'pyorg/handmade' }, opts({ ...env, HF_HUB_OFFLINE: undefined }, ['test']));
    expect(online.test).toHaveLength(3);
    expect(hub.requests.length).toBe(mark);

    const err = await loadDatasetSplits({ datasetPath: 'pyorg/handmade' }, opts(env, ['train'])).catch((e) => e);
    expect(err).toBeInstanceOf(SplitNotFoundError);
    expect(err.message).toMatch(/available splits: 'test'/);
    expect(err.hint).toMatch(/HF_HUB_OFFLINE/);
  });

  it('resolves the cache folder like huggingface_hub', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/a' })).toBe('/a');
    expect(hubCacheDir({ HF_HOME: '/h' })).toBe(join('/h', 'hub'));
    expect(hubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'huggingface', 'hub'));
  });
});

describe('hf://datasets/... data files', () => {
  const spec = (url: string) => ({ datasetPath: 'json', datasetKwargs: { data_files: { train: url } } });

  it('are fetched from the Hub into the Hub cache, then read from it offline', async () => {
    const env = freshEnv();
    const online = await loadDatasetSplits(spec('hf://datasets/acme/tiny/data/train-*.jsonl'), opts(env, ['train']));
    expect(online.train.map((r) => r.q)).toEqual(['a', 'b']);
    const requests = hub.requests.length;
    const offline = await loadDatasetSplits(spec('hf://datasets/acme/tiny/data/train-*.jsonl'), opts({ ...env, HF_HUB_OFFLINE: '1' }, ['train']));
    expect(offline).toEqual(online);
    expect(hub.requests.length).toBe(requests); // no request: the cache served it
    const pinned = await loadDatasetSplits(spec('hf://datasets/acme/tiny@main/data/train-00001-of-00002.jsonl'), opts(env, ['train']));
    expect(pinned.train.map((r) => r.q)).toEqual(['b']);
  });

  it('offline and not cached: the error names the hf:// file and HF_HUB_OFFLINE', async () => {
    await expect(loadDatasetSplits(spec('hf://datasets/acme/tiny/data/train-*.jsonl'), opts(freshEnv({ HF_HUB_OFFLINE: '1' }), ['train']))).rejects.toThrow(
      /data file hf:\/\/datasets\/acme\/tiny\/data\/train-\*\.jsonl \(split 'train'\) is not in the Hugging Face Hub cache .*, and HF_HUB_OFFLINE is set/,
    );
  });

  it('a path that matches nothing in the repo, or a malformed URL, is named', async () => {
    await expect(loadDatasetSplits(spec('hf://datasets/acme/tiny/data/nope.jsonl'), opts(freshEnv(), ['train']))).rejects.toThrow(/matched no file in the Hub repo acme\/tiny@main/);
    await expect(loadDatasetSplits(spec('hf://models/acme/tiny/x.jsonl'), opts(freshEnv(), ['train']))).rejects.toThrow(/is not a Hub dataset file URL/);
  });
});
