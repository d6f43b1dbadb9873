/**
 * The `csv` builder of Hugging Face `datasets`, which reads with `pandas.read_csv` and converts
 * to Arrow. Reproduced here: the parsing defaults (header row, `"` quoting with doubled quotes,
 * blank lines skipped, pandas' default NA strings) and pandas' per-column type inference:
 *
 * | non-NA values of a column            | type                                               |
 * | ------------------------------------ | -------------------------------------------------- |
 * | all integers, no NA                  | int                                                |
 * | all integers, some NA                | float (pandas has no NA for int64): 3 → 3.0        |
 * | all numbers (ints, decimals, inf…)   | float                                              |
 * | all True/False (pandas spellings)    | bool                                               |
 * | otherwise                            | string (raw text, not stripped)                    |
 * | NA (empty, "NA", "null", "nan", …)   | None                                               |
 */
import { PyFloat } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';
import { readText } from './files.ts';

export interface CsvReadOptions {
  /** Field separator (`sep` / `delimiter` in dataset_kwargs); `,` by default, `\t` for .tsv. */
  sep?: string;
  encoding?: string;
}

/** pandas' default `na_values` (pandas ≥ 2.0, which added "None"). */
export const PANDAS_NA_VALUES: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const TRUE_VALUES = new Set(['True', 'TRUE', 'true']);
const FALSE_VALUES = new Set(['False', 'FALSE', 'false']);
const INT_RE = /^\s*[+-]?\d+\s*$/;
const FLOAT_RE = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)\s*$/i;

/** Splits CSV text into records of raw fields (RFC 4180 quoting; blank lines skipped like pandas). */
export function parseCsv(text: string, sep = ','): string[][] {
  if (sep.length !== 1) throw new LmEvalError(`CSV separator must be one character, got ${JSON.stringify(sep)}`);
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside quotes
  let wasQuoted = false; // current record had a quoted field (so it is not blank)
  let i = 0;
  const n = text.length;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !wasQuoted)) records.push(fields);
    fields = [];
    field = '';
    wasQuoted = false;
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      wasQuoted = true;
      i++;
    } else if (c === sep) {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new LmEvalError('CSV ends inside a quoted field');
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return records;
}

/** pandas' column names: empty → `Unnamed: i`, duplicates → `name.1`, `name.2`. */
function columnNames(header: string[]): string[] {
  const counts = new Map<string, number>();
  const used = new Set<string>();
  return header.map((h, i) => {
    const base = h === '' ? `Unnamed: ${i}` : h;
    let name = base;
    let k = counts.get(base) ?? 0;
    while (used.has(name)) name = `${base}.${++k}`;
    counts.set(base, k);
    used.add(name);
    return name;
  });
}

function parseInt_(s: string): number | bigint {
  const t = s.trim();
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : BigInt(t);
}

function parseFloat_(s: string): number {
  const t = s.trim().toLowerCase().replace(/^\+/, '');
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(t);
}

/** Converts raw string columns to typed values, the way pandas infers dtypes. */
export function inferCsvColumn(raw: string[]): unknown[] {
  const present = raw.filter((s) => !PANDAS_NA_VALUES.has(s));
  const hasNa = present.length < raw.length;
  if (present.length === 0) return raw.map(() => null);
  if (present.every((s) => INT_RE.test(s))) {
    return raw.map((s) => {
      if (PANDAS_NA_VALUES.has(s)) return null;
      const v = parseInt_(s);
      // pandas stores an int column with missing values as float64 (3 → 3.0).
      return hasNa ? new PyFloat(Number(v)) : v;
    });
  }
  if (present.every((s) => INT_RE.test(s) || FLOAT_RE.test(s))) {
    return raw.map((s) => {
      if (PANDAS_NA_VALUES.has(s)) return null;
      const v = parseFloat_(s);
      return Number.isInteger(v) ? new PyFloat(v) : v;
    });
  }
  if (present.every((s) => TRUE_VALUES.has(s) || FALSE_VALUES.has(s))) {
    return raw.map((s) => (PANDAS_NA_VALUES.has(s) ? null : TRUE_VALUES.has(s)));
  }
  return raw.map((s) => (PANDAS_NA_VALUES.has(s) ? null : s));
}

/** Reads one CSV file into rows (columns in header order). */
export async function readCsvFile(file: string, options: CsvReadOptions = {}): Promise<Record<string, unknown>[]> {
  const text = await readText(file, options.encoding ?? 'utf-8');
  let records: string[][];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), options.sep ?? ',');
  } catch (err) {
    throw new LmEvalError(`Cannot parse CSV file ${file}: ${(err as Error).message}`, undefined, { cause: err });
  }
  if (records.length === 0) return [];
  const names = columnNames(records[0]);
  const body = records.slice(1);
  body.forEach((r, i) => {
    if (r.length > names.length) {
      throw new LmEvalError(
        `CSV file ${file}: record ${i + 2} has ${r.length} fields, the header has ${names.length}`,
        'Check the separator (dataset_kwargs.sep) and the quoting of the file.',
      );
    }
  });
  const columns = names.map((_, c) => inferCsvColumn(body.map((r) => (c < r.length ? r[c] : ''))));
  return body.map((_, i) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, c) => (row[name] = columns[c][i]));
    return row;
  });
}
