/**
 * Reading data files from disk: whole text, line streams and bytes, with transparent gzip
 * (`.gz`), as `datasets` decompresses `train.jsonl.gz` on the fly.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { LmEvalError } from '../errors.ts';

/** Compression suffixes we can read, and those we recognise but cannot. */
const UNSUPPORTED_COMPRESSION = ['.bz2', '.xz', '.zst', '.lz4', '.zip'];

/** The file name without a compression suffix (`a.jsonl.gz` → `a.jsonl`). */
export function stripCompression(file: string): string {
  return file.endsWith('.gz') ? file.slice(0, -3) : file;
}

function checkCompression(file: string): void {
  const bad = UNSUPPORTED_COMPRESSION.find((ext) => file.endsWith(ext));
  if (bad) {
    throw new LmEvalError(
      `Cannot read ${file}: '${bad}' compressed data files are not supported`,
      'Decompress the file, or use gzip (.gz).',
    );
  }
}

export async function readBytes(file: string): Promise<Buffer> {
  checkCompression(file);
  const buf = await readFile(file);
  return file.endsWith('.gz') ? gunzipSync(buf) : buf;
}

/**
 * Whole file decoded as text (default UTF-8). Like Python's `utf-8` codec a leading BOM is kept
 * as U+FEFF; `utf-8-sig` drops it.
 */
export async function readText(file: string, encoding = 'utf-8'): Promise<string> {
  const buf = await readBytes(file);
  const sig = /^utf[-_]?8[-_]sig$/i.test(encoding);
  return new TextDecoder(normalizeEncoding(encoding), { ignoreBOM: !sig }).decode(buf);
}

/** Lines of a text file, streamed (no line terminators; `\r\n` handled). */
export function readLines(file: string, encoding = 'utf-8'): AsyncIterable<string> {
  checkCompression(file);
  let stream: Readable = createReadStream(file);
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip());
  if (!/^utf-?8$/i.test(encoding)) {
    // Rare: decode the whole file, then split.
    return (async function* () {
      const text = await readText(file, encoding);
      yield* text.split(/\r\n|\n|\r/);
    })();
  }
  stream.setEncoding('utf8');
  return createInterface({ input: stream, crlfDelay: Infinity });
}

/** Python codec names → WHATWG encoding labels (the common ones). */
function normalizeEncoding(encoding: string): string {
  const e = encoding.toLowerCase().replace(/_/g, '-');
  if (e === 'utf8' || e === 'utf-8') return 'utf-8';
  if (e === 'utf-8-sig') return 'utf-8';
  if (e === 'latin1' || e === 'latin-1' || e === 'iso-8859-1') return 'latin1';
  if (/^cp\d+$/.test(e)) return `windows-${e.slice(2)}`;
  return e;
}
