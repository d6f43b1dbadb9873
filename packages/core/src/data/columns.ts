/**
 * Arrow-like column typing for rows read from schemaless formats (JSON, CSV).
 *
 * Hugging Face `datasets` turns every split into an Arrow table, so a row of a loaded dataset has
 * - every column of the table, in the table's column order (first-seen order for JSON), with
 *   `None` where a record lacked the key;
 * - one type per column: a column mixing ints and floats is a float column (1 → 1.0);
 * - nested objects as structs: the union of their keys, in first-seen order, missing → `None`.
 * This module infers such a schema from plain rows and conforms the rows to it.
 */
import { PyFloat, isPlainObject } from '../python/values.ts';

export type ColumnType =
  | { kind: 'null' }
  | { kind: 'bool' }
  | { kind: 'int' }
  | { kind: 'float' }
  | { kind: 'string' }
  | { kind: 'list'; item: ColumnType }
  | { kind: 'struct'; fields: Map<string, ColumnType> }
  /** Values of incompatible types (Arrow would refuse them): kept as they are. */
  | { kind: 'mixed' };

const NULL: ColumnType = { kind: 'null' };
const MIXED: ColumnType = { kind: 'mixed' };
const BOOL: ColumnType = { kind: 'bool' };
const INT: ColumnType = { kind: 'int' };
const FLOAT: ColumnType = { kind: 'float' };
const STRING: ColumnType = { kind: 'string' };

/** The Arrow-like type of one value. */
export function typeOf(v: unknown): ColumnType {
  if (v === null || v === undefined) return NULL;
  if (typeof v === 'string') return STRING;
  if (typeof v === 'boolean') return BOOL;
  if (typeof v === 'bigint') return INT;
  if (v instanceof PyFloat) return FLOAT;
  if (typeof v === 'number') return Number.isInteger(v) ? INT : FLOAT;
  if (Array.isArray(v)) {
    let item: ColumnType = NULL;
    for (const x of v) item = mergeTypes(item, typeOf(x));
    return { kind: 'list', item };
  }
  if (isPlainObject(v)) {
    const fields = new Map<string, ColumnType>();
    for (const [k, x] of Object.entries(v)) fields.set(k, typeOf(x));
    return { kind: 'struct', fields };
  }
  return MIXED;
}

/** The common type of two column types (Arrow's promotion: null → anything, int + float → float). */
export function mergeTypes(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b || b.kind === 'null') return a;
  if (a.kind === 'null') return b;
  if (a.kind === 'mixed' || b.kind === 'mixed') return MIXED;
  if (a.kind === b.kind) {
    if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', item: mergeTypes(a.item, b.item) };
    if (a.kind === 'struct' && b.kind === 'struct') {
      const fields = new Map(a.fields);
      for (const [k, t] of b.fields) fields.set(k, fields.has(k) ? mergeTypes(fields.get(k)!, t) : t);
      return { kind: 'struct', fields };
    }
    return a;
  }
  if ((a.kind === 'int' && b.kind === 'float') || (a.kind === 'float' && b.kind === 'int')) return FLOAT;
  return MIXED;
}

/** Converts a value to the column type: ints in float columns become PyFloat, structs get all fields. */
export function conform(v: unknown, t: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'float':
      if (typeof v === 'number') return Number.isInteger(v) ? new PyFloat(v) : v;
      if (typeof v === 'bigint') return new PyFloat(Number(v));
      return v;
    case 'list':
      return Array.isArray(v) ? v.map((x) => conform(x, t.item)) : v;
    case 'struct': {
      if (!isPlainObject(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, ft] of t.fields) out[k] = conform(v[k], ft);
      return out;
    }
    default:
      return v;
  }
}

/** The table schema of a list of rows: columns in first-seen order with their merged types. */
export function inferSchema(rows: Iterable<Record<string, unknown>>): Map<string, ColumnType> {
  const schema = new Map<string, ColumnType>();
  for (const row of rows) {
    for (const k of Object.keys(row)) {
      const t = typeOf(row[k]);
      const prev = schema.get(k);
      if (prev === undefined) schema.set(k, t);
      else if (prev !== t) {
        const merged = mergeTypes(prev, t);
        if (merged !== prev) schema.set(k, merged);
      }
    }
  }
  return schema;
}

/** Rebuilds each row with every column of the schema, in schema order, values conformed. */
export function conformRows(
  rows: Record<string, unknown>[],
  schema: Map<string, ColumnType> = inferSchema(rows),
): Record<string, unknown>[] {
  const columns = [...schema];
  const keys = columns.map(([k]) => k);
  // Columns whose values conform as they are (no int → float, list or struct to rebuild): a row
  // with exactly the schema's keys, in its order, and no undefined value is kept as it is.
  const asIs = columns.every(([, t]) => t.kind !== 'float' && t.kind !== 'list' && t.kind !== 'struct');
  return rows.map((row) => {
    if (asIs && conformsAsIs(row, keys)) return row;
    const out: Record<string, unknown> = {};
    for (const [k, t] of columns) out[k] = conform(row[k], t);
    return out;
  });
}

function conformsAsIs(row: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (k !== keys[i] || row[k] === undefined) return false;
    i++;
  }
  return i === keys.length;
}
