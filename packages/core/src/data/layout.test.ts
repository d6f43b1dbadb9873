import { describe, expect, it } from 'vitest';
import { inferSplits, readmeConfigs, resolveConfig, resolveParquetExport, inferBuilder, dataExtension } from './layout.ts';
import { matchListing, normalizeDataFiles } from './data-files.ts';

const obj = (m: Map<string, string[]>) => Object.fromEntries(m);

describe('data_files', () => {
  it('normalises string, list, mapping and README forms', () => {
    expect(obj(normalizeDataFiles('a.jsonl'))).toEqual({ train: ['a.jsonl'] });
    expect(obj(normalizeDataFiles(['a', 'b']))).toEqual({ train: ['a', 'b'] });
    expect(obj(normalizeDataFiles({ test: 't.csv', validation: ['v1', 'v2'] }))).toEqual({ test: ['t.csv'], validation: ['v1', 'v2'] });
    expect(obj(normalizeDataFiles([{ split: 'test', path: 'x/*' }, { split: 'test', path: ['y'] }]))).toEqual({ test: ['x/*', 'y'] });
    expect(() => normalizeDataFiles(3)).toThrow(/unsupported/);
  });

  it('globs like datasets: sorted, hidden and README skipped, * stays in one folder', () => {
    const files = ['data/b.jsonl', 'data/a.jsonl', 'data/sub/c.jsonl', 'data/.x.jsonl', '__tmp/d.jsonl', 'README.md'];
    expect(matchListing(files, 'data/*.jsonl')).toEqual(['data/a.jsonl', 'data/b.jsonl']);
    expect(matchListing(files, 'data/**')).toEqual(['data/a.jsonl', 'data/b.jsonl', 'data/sub/c.jsonl']);
    expect(matchListing(files, '**')).toEqual(['data/a.jsonl', 'data/b.jsonl', 'data/sub/c.jsonl']);
    expect(matchListing(files, 'data/.x.jsonl')).toEqual(['data/.x.jsonl']);
    expect(matchListing(files, '*.jsonl', 'data')).toEqual(['data/a.jsonl', 'data/b.jsonl']);
    expect(matchListing(files, 'README.md')).toEqual([]);
  });
});

describe('split inference (no README configs)', () => {
  it('sharded data/<split>-NNNNN-of-NNNNN files, any split name', () => {
    const m = inferSplits(['data/test-00000-of-00001.parquet', 'data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet', 'data/dev_x-00000-of-00001.parquet']);
    expect([...m.keys()]).toEqual(['train', 'test', 'dev_x']);
    expect(m.get('train')).toEqual(['data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet']);
  });

  it('folders named by a split keyword win over file names', () => {
    const m = inferSplits(['train/part.jsonl', 'dev-set/part.jsonl', 'test.jsonl']);
    expect(obj(m)).toEqual({ train: ['train/part.jsonl'], validation: ['dev-set/part.jsonl'] });
  });

  it('file names with a delimited keyword', () => {
    const m = inferSplits(['my_train.csv', 'valid.csv', 'test-2.csv', 'contest.csv', 'README.md', 'loader.py']);
    expect(obj(m)).toEqual({ train: ['my_train.csv'], validation: ['valid.csv'], test: ['test-2.csv'] });
  });

  it('otherwise everything is train; unknown extensions ignored', () => {
    expect(obj(inferSplits(['a.jsonl', 'b.jsonl', 'notes.md']))).toEqual({ train: ['a.jsonl', 'b.jsonl'] });
    expect(inferSplits(['notes.md']).size).toBe(0);
  });
});

describe('README configs', () => {
  const readme = `---
license: mit
configs:
- config_name: main
  data_files:
  - split: train
    path: data/train-*
  - split: test
    path: "data/test.parquet"
  default: true
- config_name: other
  data_dir: other
  sep: ";"
---
# card
`;
  const files = ['data/train-0.jsonl', 'data/train-1.jsonl', 'data/test.parquet', 'other/validation.csv', 'README.md'];

  it('parses configs from the YAML front matter', () => {
    expect(readmeConfigs(readme).map((c) => c.config_name)).toEqual(['main', 'other']);
    expect(readmeConfigs('# no front matter')).toEqual([]);
  });

  it('picks the named config, else the default one', () => {
    const d = resolveConfig(files, { readme, label: 'x' })!;
    expect(d.config).toBe('main');
    expect(obj(d.splits)).toEqual({ train: ['data/train-0.jsonl', 'data/train-1.jsonl'], test: ['data/test.parquet'] });
    const o = resolveConfig(files, { readme, configName: 'other', label: 'x' })!;
    expect(obj(o.splits)).toEqual({ validation: ['other/validation.csv'] });
    expect(o.builderKwargs).toEqual({ sep: ';' });
  });

  it('an unknown config is an error listing the configs', () => {
    expect(() => resolveConfig(files, { readme, configName: 'nope', label: "dataset_path='o/r'" })).toThrow(
      /Config 'nope' not found for dataset_path='o\/r'; available configs: 'main', 'other'/,
    );
  });

  it('dataset_kwargs.data_files override the card', () => {
    const r = resolveConfig(files, { readme, dataFiles: { test: 'other/*.csv' }, label: 'x' })!;
    expect(obj(r.splits)).toEqual({ test: ['other/validation.csv'] });
  });

  it('no configs and a non-default name → null (try the Parquet conversion)', () => {
    expect(resolveConfig(['data/train.jsonl'], { configName: 'ARC-Easy', label: 'x' })).toBeNull();
    expect(resolveConfig(['README.md'], { label: 'x' })).toBeNull();
  });
});

describe('Parquet conversion layout', () => {
  const files = [
    'ARC-Easy/test/0000.parquet',
    'ARC-Easy/train/0000.parquet',
    'ARC-Easy/train/0001.parquet',
    'ARC-Easy/partial-validation/0000.parquet',
    'ARC-Challenge/ai2_arc-test.parquet',
    'ARC-Challenge/test-00000-of-00002.parquet',
    'ARC-Challenge/train-00001-of-00002.parquet',
    '.gitattributes',
  ];
  it('new layout <config>/<split>/*.parquet (partial- prefix dropped)', () => {
    const e = resolveParquetExport(files, 'ARC-Easy');
    expect(e.configs).toEqual(['ARC-Challenge', 'ARC-Easy']);
    expect(obj(e.splits)).toEqual({
      train: ['ARC-Easy/train/0000.parquet', 'ARC-Easy/train/0001.parquet'],
      validation: ['ARC-Easy/partial-validation/0000.parquet'],
      test: ['ARC-Easy/test/0000.parquet'],
    });
  });
  it('older layouts <config>/[<name>-]<split>[-NNNNN-of-NNNNN].parquet', () => {
    const e = resolveParquetExport(files, 'ARC-Challenge');
    expect(obj(e.splits)).toEqual({
      train: ['ARC-Challenge/train-00001-of-00002.parquet'],
      test: ['ARC-Challenge/ai2_arc-test.parquet', 'ARC-Challenge/test-00000-of-00002.parquet'],
    });
  });
  it('unknown config → null config', () => {
    expect(resolveParquetExport(files, 'nope').config).toBeNull();
    expect(resolveParquetExport(['default/test/0.parquet'], null).config).toBe('default');
  });
});

describe('builder inference', () => {
  it('by the most common data extension; .tsv is csv with a tab', () => {
    expect(inferBuilder(['a.jsonl', 'b.jsonl', 'c.csv'], 'x').builder).toBe('json');
    expect(inferBuilder(['a.tsv'], 'x')).toEqual({ builder: 'csv', kwargs: { sep: '\t' } });
    expect(dataExtension('a/b.JSONL.gz')).toBe('.jsonl');
    expect(() => inferBuilder(['a.xyz'], 'x')).toThrow(/Cannot tell the format/);
  });
});
