/**
 * The `json` builder of Hugging Face `datasets`: JSON Lines, or one JSON document holding a list
 * of records (or, with `field`, a key of the top-level object holding them).
 *
 * Numbers keep their Python types (`parsePyJson`: `2.0` stays a float, big ints stay exact).
 * Rows are returned raw; the caller types them as one Arrow table (see columns.ts).
 */
import { parsePyJson } from '../python/json.ts';
import { isPlainObject } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';
import { readLineBatches, readText } from './files.ts';

export interface JsonReadOptions {
  /** `field`: the key of the top-level object that holds the records. */
  field?: string | null;
  encoding?: string;
}

export type Row = Record<string, unknown>;

/** Reads the records of one JSON / JSON Lines file. */
export async function readJsonFile(file: string, options: JsonReadOptions = {}): Promise<Row[]> {
  const encoding = options.encoding ?? 'utf-8';
  if (options.field != null && options.field !== '') {
    const doc = parseWhole(await readText(file, encoding), file);
    if (!isPlainObject(doc) || !(options.field in doc)) {
      const keys = isPlainObject(doc) ? Object.keys(doc) : [];
      throw new LmEvalError(
        `JSON file ${file} has no top-level field '${options.field}'` +
          (keys.length ? `; its fields are: ${keys.join(', ')}` : ''),
        'Fix dataset_kwargs.field in the task YAML.',
      );
    }
    return recordsOf(doc[options.field], file, true);
  }

  // JSON Lines, streamed. A file that is one JSON document (an array, or a pretty-printed
  // object) is detected from its first non-blank line and parsed whole, as `datasets` falls
  // back to `json.load` when the line reader fails.
  const rows: Row[] = [];
  let lineNo = 0;
  for await (const batch of readLineBatches(file, encoding)) {
    for (const raw of batch) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      if (rows.length === 0 && line.trimStart().startsWith('[')) {
        return recordsOf(parseWhole(await readText(file, encoding), file), file);
      }
      let value: unknown;
      try {
        value = parsePyJson(line);
      } catch (err) {
        if (rows.length === 0) {
          // Maybe one multi-line JSON document.
          const doc = tryParse(await readText(file, encoding));
          if (doc !== undefined) return recordsOf(doc, file);
        }
        throw new LmEvalError(`Invalid JSON on line ${lineNo} of ${file}: ${(err as Error).message}`, undefined, {
          cause: err,
        });
      }
      if (!isPlainObject(value)) {
        throw new LmEvalError(`Line ${lineNo} of ${file} is not a JSON object (JSON Lines needs one record per line)`);
      }
      rows.push(value);
    }
  }
  return rows;
}

function tryParse(text: string): unknown {
  try {
    return parsePyJson(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

function parseWhole(text: string, file: string): unknown {
  try {
    return parsePyJson(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new LmEvalError(`Invalid JSON in ${file}: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** A list of records (or, under `field`, a dict of equal-length columns) as rows. */
function recordsOf(doc: unknown, file: string, allowColumns = false): Row[] {
  if (Array.isArray(doc)) {
    doc.forEach((r, i) => {
      if (!isPlainObject(r)) throw new LmEvalError(`Record ${i} of ${file} is not a JSON object`);
    });
    return doc as Row[];
  }
  if (isPlainObject(doc)) {
    const cols = Object.entries(doc);
    if (allowColumns && cols.length > 0 && cols.every(([, v]) => Array.isArray(v) && v.length === (cols[0][1] as unknown[]).length)) {
      const n = (cols[0][1] as unknown[]).length;
      const rows: Row[] = [];
      for (let i = 0; i < n; i++) {
        const row: Row = {};
        for (const [k, v] of cols) row[k] = (v as unknown[])[i];
        rows.push(row);
      }
      return rows;
    }
    throw new LmEvalError(
      `Not able to read records in the JSON file ${file}; its top-level fields are: ${Object.keys(doc).join(', ')}`,
      "Set dataset_kwargs.field to the field that holds the records (e.g. field: 'data').",
    );
  }
  throw new LmEvalError(`JSON file ${file} holds neither records nor a list of records`);
}
