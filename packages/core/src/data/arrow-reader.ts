/**
 * The `arrow` builder: Arrow IPC files (stream or file format — `datasets` writes the stream
 * format in its `.arrow` cache files) through the apache-arrow library. Values are mapped to the
 * Python values `datasets` returns: float columns give Python floats (integral ones as PyFloat),
 * 64-bit ints numbers (bigint beyond 2^53), structs dicts in field order, lists lists, nulls None.
 */
import { readFile } from 'node:fs/promises';
import { tableFromIPC, Type, type DataType, type Field } from 'apache-arrow';
import { PyFloat } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';

type Convert = (v: unknown) => unknown;

function converterOf(type: DataType): Convert {
  switch (type.typeId) {
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64:
    case Type.Decimal:
      return (v) => (v === null || v === undefined ? null : Number.isInteger(Number(v)) ? new PyFloat(Number(v)) : Number(v));
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64:
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        return v;
      };
    case Type.List:
    case Type.FixedSizeList:
    case Type.LargeList: {
      const child = converterOf((type.children[0] as Field).type);
      return (v) => (v === null || v === undefined ? null : Array.from(v as Iterable<unknown>, child));
    }
    case Type.Struct: {
      const fields = (type.children as Field[]).map((f) => [f.name, converterOf(f.type)] as const);
      return (v) => {
        if (v === null || v === undefined) return null;
        const src = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [name, conv] of fields) out[name] = conv(src[name]);
        return out;
      };
    }
    case Type.Dictionary:
      return converterOf((type as unknown as { dictionary: DataType }).dictionary);
    default:
      return (v) => (v === undefined ? null : v);
  }
}

/** Rows of one Arrow IPC file, in the file's column order. */
export async function readArrowFile(file: string): Promise<Record<string, unknown>[]> {
  let table;
  try {
    table = tableFromIPC(await readFile(file));
  } catch (e) {
    throw new LmEvalError(`cannot read Arrow IPC file ${file}: ${(e as Error).message}`, 'the arrow builder reads Arrow IPC stream or file format');
  }
  const fields = table.schema.fields.map((f) => [f.name, converterOf(f.type), table.getChild(f.name)!] as const);
  const rows: Record<string, unknown>[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, conv, col] of fields) {
      const v = col.get(i);
      row[name] = conv(v !== null && typeof v === 'object' && 'toJSON' in (v as object) && !Array.isArray(v) ? (v as { toJSON(): unknown }).toJSON() : v);
    }
    rows[i] = row;
  }
  return rows;
}
