/**
 * The `parquet` builder (and the Hub's Parquet conversion) through hyparquet.
 *
 * hyparquet returns JS values; they are mapped to the Python values `datasets` would return:
 * FLOAT/DOUBLE (and DECIMAL) leaves become Python floats (integral values wrapped in PyFloat),
 * INT64 becomes a number (bigint beyond 2^53), structs keep the schema's field order with
 * `None` for nulls, lists map their items. Column order is the file's.
 */
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, Compressors, SchemaTree } from 'hyparquet';
import { open } from 'node:fs/promises';
import { PyFloat } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';

type Convert = (v: unknown) => unknown;

const identity: Convert = (v) => (v === undefined ? null : v);

/** Decompressors beyond hyparquet's built-in snappy (zstd and lz4 are not available on Node 20). */
const COMPRESSORS: Compressors = {
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)),
};

function isListLike(node: SchemaTree): boolean {
  if (node.element.converted_type !== 'LIST' || node.children.length !== 1) return false;
  const rep = node.children[0];
  return rep.children.length <= 1 && rep.element.repetition_type === 'REPEATED';
}

function isMapLike(node: SchemaTree): boolean {
  return node.element.converted_type === 'MAP' || node.element.converted_type === 'MAP_KEY_VALUE';
}

/** Builds the value converter of one schema node. */
function converterOf(node: SchemaTree): Convert {
  const el = node.element;
  if (isListLike(node)) {
    const rep = node.children[0];
    const item = rep.children.length === 1 ? converterOf(rep.children[0]) : converterOf(rep);
    return (v) => (Array.isArray(v) ? v.map(item) : identity(v));
  }
  if (isMapLike(node)) return identity;
  if (node.children.length) {
    const fields = node.children.map((c) => [c.element.name, converterOf(c)] as const);
    const struct: Convert = (v) => {
      if (v === null || v === undefined || typeof v !== 'object') return identity(v);
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, conv] of fields) out[name] = conv(src[name]);
      return out;
    };
    // A legacy repeated group (2-level list of structs) arrives as an array.
    return el.repetition_type === 'REPEATED' ? (v) => (Array.isArray(v) ? v.map(struct) : struct(v)) : struct;
  }
  let leaf: Convert = identity;
  if (el.type === 'FLOAT' || el.type === 'DOUBLE' || el.converted_type === 'DECIMAL') {
    leaf = (v) => {
      if (typeof v === 'number') return Number.isInteger(v) ? new PyFloat(v) : v;
      if (typeof v === 'bigint') return new PyFloat(Number(v));
      return identity(v);
    };
  } else if (el.type === 'INT64' || el.type === 'INT32') {
    leaf = (v) => {
      if (typeof v === 'bigint') {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v;
      }
      return identity(v);
    };
  }
  // A repeated primitive (legacy 2-level list) arrives as an array.
  return el.repetition_type === 'REPEATED' ? (v) => (Array.isArray(v) ? v.map(leaf) : leaf(v)) : leaf;
}

async function fileBuffer(file: string): Promise<{ buf: AsyncBuffer; close: () => Promise<void> }> {
  const fh = await open(file, 'r');
  const { size } = await fh.stat();
  return {
    buf: {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = end ?? size;
        const out = new Uint8Array(stop - start);
        let off = 0;
        while (off < out.length) {
          const { bytesRead } = await fh.read(out, off, out.length - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return out.buffer;
      },
    },
    close: () => fh.close(),
  };
}

/** Reads every row of a Parquet file. */
export async function readParquetFile(file: string): Promise<Record<string, unknown>[]> {
  const { buf, close } = await fileBuffer(file);
  try {
    const metadata = await parquetMetadataAsync(buf);
    const schema = parquetSchema(metadata);
    const columns = schema.children.map((c) => [c.element.name, converterOf(c)] as const);
    const raw = await parquetReadObjects({ file: buf, metadata, compressors: COMPRESSORS, utf8: true });
    return raw.map((r) => {
      const row: Record<string, unknown> = {};
      for (const [name, conv] of columns) row[name] = conv(r[name]);
      return row;
    });
  } catch (err) {
    if (err instanceof LmEvalError) throw err;
    throw new LmEvalError(`Cannot read Parquet file ${file}: ${(err as Error).message}`, undefined, { cause: err });
  } finally {
    await close();
  }
}
