import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pyRepr } from '../python/values.ts';
import { readSplitFiles } from './readers.ts';
import { parseCsv, inferCsvColumn } from './csv-reader.ts';
import { conformRows, inferSchema } from './columns.ts';

const FIX = fileURLToPath(new URL('../../test/fixtures/data/', import.meta.url));
const f = (name: string) => join(FIX, name);

describe('json builder', () => {
  it('JSON Lines: union of keys in first-seen order, nulls, int→float promotion, structs, big ints', async () => {
    const rows = await readSplitFiles([f('mixed.jsonl')], 'json');
    expect(rows.map((r) => pyRepr(r))).toEqual([
      "{'id': 1, 'question': 'Q1?', 'score': 1.0, 'meta': {'a': 1, 'b': None}, 'extra': None, 'big': None, 'tags': None}",
      "{'id': 2, 'question': 'Q2?', 'score': 2.5, 'meta': {'a': None, 'b': 'y'}, 'extra': 'x', 'big': None, 'tags': None}",
      "{'id': 3, 'question': 'Q3?', 'score': 3.0, 'meta': None, 'extra': None, 'big': 1234567890123456789, 'tags': [1.0, 2.5]}",
    ]);
    expect(typeof rows[2].big).toBe('bigint');
  });

  it('JSON Lines ends at \\n, \\r\\n or \\r, across read chunks, blank lines skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lm-eval-jsonl-'));
    try {
      const long = 'x'.repeat((1 << 20) - 9); // its \r is the last byte of the first 1 MiB read, its \n the next one's first
      const file = join(dir, 'lines.jsonl');
      await writeFile(file, `{"a":"${long}"}\r\n{"a":"b"}\r{"a":"c"}\n\n{"a":"d"}\r\n{"a":"e"}`);
      const rows = await readSplitFiles([file], 'json');
      expect(rows.map((r) => (r.a as string).slice(0, 3))).toEqual(['xxx', 'b', 'c', 'd', 'e']);
      expect((rows[0].a as string).length).toBe(long.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads gzip-compressed JSON Lines the same way', async () => {
    const a = await readSplitFiles([f('mixed.jsonl')], 'json');
    const b = await readSplitFiles([f('mixed.jsonl.gz')], 'json');
    expect(pyRepr(b)).toBe(pyRepr(a));
  });

  it('a top-level JSON array', async () => {
    const rows = await readSplitFiles([f('records.json')], 'json');
    expect(pyRepr(rows)).toBe("[{'text': 'alpha', 'label': 0.0}, {'text': 'beta', 'label': 1.0}]");
  });

  it('`field` selects the records of a nested object; a wrong field names the fields that exist', async () => {
    const rows = await readSplitFiles([f('nested.json')], 'json', { field: 'data' });
    expect(pyRepr(rows)).toBe("[{'q': 'first', 'a': '1', 'note': None}, {'q': 'second', 'a': '2', 'note': None}]");
    await expect(readSplitFiles([f('nested.json')], 'json', { field: 'rows' })).rejects.toThrow(/no top-level field 'rows'.*version, data/);
    // Without `field`, a one-line object is one JSON Lines record (as pyarrow reads it) ...
    expect(Object.keys((await readSplitFiles([f('nested.json')], 'json'))[0])).toEqual(['version', 'data']);
    // ... while a pretty-printed object needs `field`.
    const dir = await mkdtemp(join(tmpdir(), 'lmeval-json-'));
    await writeFile(join(dir, 'obj.json'), '{\n  "data": [{"q": 1}]\n}\n');
    await expect(readSplitFiles([join(dir, 'obj.json')], 'json')).rejects.toThrow(/dataset_kwargs.field|field/);
    expect(pyRepr(await readSplitFiles([join(dir, 'obj.json')], 'json', { field: 'data' }))).toBe("[{'q': 1}]");
    await rm(dir, { recursive: true });
  });

  it('several files of a split form one table (schema across files)', async () => {
    const rows = await readSplitFiles([f('records.json'), f('mixed.jsonl')], 'json');
    expect(Object.keys(rows[0])).toEqual(['text', 'label', 'id', 'question', 'score', 'meta', 'extra', 'big', 'tags']);
    expect(rows).toHaveLength(5);
  });
});

describe('csv builder (pandas inference)', () => {
  it('infers int / float (int with NA) / float / bool / string columns; NA strings → None; blank lines skipped', async () => {
    const rows = await readSplitFiles([f('table.csv')], 'csv');
    expect(rows.map((r) => pyRepr(r))).toEqual([
      `{'id': 1, 'count': 3.0, 'ratio': 0.5, 'flag': True, 'text': 'hello, "world"', 'empty': None, 'id.1': 'a'}`,
      `{'id': 2, 'count': None, 'ratio': 2.0, 'flag': False, 'text': 'multi\\nline', 'empty': None, 'id.1': 'b'}`,
      `{'id': 3, 'count': 7.0, 'ratio': 1000.0, 'flag': True, 'text': None, 'empty': None, 'id.1': 'c'}`,
      `{'id': 4, 'count': 8.0, 'ratio': -inf, 'flag': False, 'text': ' plain ', 'empty': None, 'id.1': 'd'}`,
    ]);
  });

  it('.tsv-style separator', async () => {
    const rows = await readSplitFiles([f('table.tsv')], 'csv', { sep: '\t' });
    expect(pyRepr(rows)).toBe("[{'a': 'x y', 'b': 1}, {'a': 'z', 'b': 2}]");
  });

  it('parser and inference units', () => {
    expect(parseCsv('a,b\r\n"x\r\ny",2\r\n\r\n')).toEqual([['a', 'b'], ['x\r\ny', '2']]);
    expect(parseCsv('a\n""\n')).toEqual([['a'], ['']]);
    expect(pyRepr(inferCsvColumn(['1', '2', '3']))).toBe('[1, 2, 3]');
    expect(pyRepr(inferCsvColumn(['1', 'x']))).toBe("['1', 'x']");
    expect(pyRepr(inferCsvColumn(['', 'NA', 'null']))).toBe('[None, None, None]');
    expect(pyRepr(inferCsvColumn(['True', 'false', '']))).toBe('[True, False, None]');
  });
});

describe('text builder', () => {
  it('one row per line, universal newlines, no trailing empty row', async () => {
    const rows = await readSplitFiles([f('lines.txt')], 'text');
    expect(rows.map((r) => r.text)).toEqual(['first line', 'second line', '', 'after blank', 'last no newline']);
  });
  it('sample_by paragraph / document, keep_linebreaks', async () => {
    expect((await readSplitFiles([f('lines.txt')], 'text', { sample_by: 'paragraph' })).map((r) => r.text)).toEqual([
      'first line\nsecond line',
      'after blank\nlast no newline',
    ]);
    expect(await readSplitFiles([f('lines.txt')], 'text', { sample_by: 'document' })).toHaveLength(1);
    expect((await readSplitFiles([f('lines.txt')], 'text', { keep_linebreaks: true }))[0].text).toBe('first line\n');
  });
});

describe('parquet builder', () => {
  it('maps Parquet types to Python values in file column order', async () => {
    const rows = await readSplitFiles([f('mixed.parquet')], 'parquet');
    expect(rows.map((r) => pyRepr(r))).toEqual([
      "{'id': 'q1', 'n': 1, 'score': 1.0, 'ok': True, 'tags': ['a', 'b'], 'choices': {'text': ['x', 'y'], 'label': ['A', 'B']}}",
      "{'id': 'q2', 'n': 9007199254740993, 'score': 2.5, 'ok': False, 'tags': [], 'choices': {'text': ['z'], 'label': ['C']}}",
      "{'id': None, 'n': 3, 'score': None, 'ok': None, 'tags': None, 'choices': {'text': [], 'label': []}}",
    ]);
    expect(typeof rows[0].n).toBe('number');
    expect(typeof rows[1].n).toBe('bigint');
  });

  it('arrow IPC (stream and file format) gives Python-typed rows in column order', async () => {
    const { tableFromArrays, tableToIPC } = await import('apache-arrow');
    const dir = await mkdtemp(join(tmpdir(), 'arrow-'));
    const table = tableFromArrays({
      question: ['2+2?', 'Столица?'],
      label: Int32Array.from([1, 0]),
      score: Float64Array.from([1.0, 0.25]),
      big: BigInt64Array.from([5n, 2n ** 60n]),
    });
    const stream = join(dir, 'data.arrow');
    const file = join(dir, 'data-file.arrow');
    await writeFile(stream, tableToIPC(table, 'stream'));
    await writeFile(file, tableToIPC(table, 'file'));
    for (const f of [stream, file]) {
      const rows = await readSplitFiles([f], 'arrow');
      expect(Object.keys(rows[0])).toEqual(['question', 'label', 'score', 'big']);
      expect(pyRepr(rows)).toBe("[{'question': '2+2?', 'label': 1, 'score': 1.0, 'big': 5}, {'question': 'Столица?', 'label': 0, 'score': 0.25, 'big': 1152921504606846976}]");
    }
    await expect(readSplitFiles([join(dir, 'missing.arrow')], 'arrow')).rejects.toThrow(/cannot read Arrow IPC file/);
  });
});

describe('column typing', () => {
  it('keeps incompatible values as they are', () => {
    const rows = [{ a: 1 }, { a: 'x' }];
    expect(conformRows(rows, inferSchema(rows))).toEqual([{ a: 1 }, { a: 'x' }]);
  });
});
