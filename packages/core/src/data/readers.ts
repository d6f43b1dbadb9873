/**
 * Reads the files of one split with a packaged builder (`json`, `csv`, `parquet`, `text`) into
 * rows typed like one Arrow table (see columns.ts); `arrow` reads Arrow IPC files.
 */
import { conformRows } from './columns.ts';
import { readCsvFile } from './csv-reader.ts';
import { readJsonFile } from './json-reader.ts';
import type { Builder } from './layout.ts';
import { readTextFile } from './text-reader.ts';

export type Row = Record<string, unknown>;

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Rows of the given files (in order) read with `builder`; `kwargs` are the builder options. */
export async function readSplitFiles(files: readonly string[], builder: Builder, kwargs: Record<string, unknown> = {}): Promise<Row[]> {
  const encoding = optString(kwargs.encoding);
  const rows: Row[] = [];
  const push = (rs: Row[]) => {
    for (const r of rs) rows.push(r);
  };
  switch (builder) {
    case 'json':
      for (const f of files) push(await readJsonFile(f, { field: optString(kwargs.field) ?? null, encoding }));
      return conformRows(rows);
    case 'csv': {
      const sep = optString(kwargs.sep) ?? optString(kwargs.delimiter);
      for (const f of files) push(await readCsvFile(f, { sep, encoding }));
      return conformRows(rows);
    }
    case 'parquet':
      // loaded on first use: runs on JSON/CSV data do not load the Parquet and Arrow libraries
      const { readParquetFile } = await import('./parquet-reader.ts');
      for (const f of files) push(await readParquetFile(f));
      return rows;
    case 'text': {
      const sampleBy = optString(kwargs.sample_by) as 'line' | 'paragraph' | 'document' | undefined;
      const keepLinebreaks = kwargs.keep_linebreaks === true;
      for (const f of files) push(await readTextFile(f, { sampleBy, keepLinebreaks, encoding }));
      return rows;
    }
    case 'arrow':
      const { readArrowFile } = await import('./arrow-reader.ts');
      for (const f of files) push(await readArrowFile(f));
      return rows;
  }
}
