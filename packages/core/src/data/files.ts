/**
 * Reading data files from disk: whole text, line streams and bytes, with transparent gzip
 * (`.gz`), as `datasets` decompresses `train.jsonl.gz` on the fly.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
  const label = normalizeEncoding(encoding);
  try {
    return new TextDecoder(label, { ignoreBOM: !sig, fatal: label === 'utf-8' }).decode(buf);
  } catch (e) {
    if (e instanceof TypeError && label === 'utf-8') throw utf8Error(file, buf);
    throw e;
  }
}

/** Offset of the first byte that is not part of valid UTF-8 (-1 if none). */
export function firstInvalidUtf8(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    let n = 0;
    let min = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) [n, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= buf.length && n > 0) return i;
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (n >= 2 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Python's `datasets` fails on bytes that are not UTF-8 (pyarrow's JSON reader, pandas' CSV
 * reader and the text builder all raise), so we do too instead of reading U+FFFD: the error
 * names the file, the line and the byte offset (0-based, in the decompressed bytes).
 */
function utf8Error(file: string, buf: Uint8Array): LmEvalError {
  const at = Math.max(0, firstInvalidUtf8(buf));
  let line = 1;
  for (let i = 0; i < at; i++) if (buf[i] === 0x0a) line++;
  return new LmEvalError(
    `${file}: line ${line}, byte ${at}: not valid UTF-8 (byte 0x${(buf[at] ?? 0).toString(16).padStart(2, '0')})`,
    "Python's datasets refuses such files too: convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), or name its encoding in dataset_kwargs (encoding: latin1)",
  );
}

/**
 * Lines of a text file, streamed in batches (one per chunk read: a microtask per chunk rather
 * than per line); no line terminators; `\r\n` handled.
 */
export function readLineBatches(file: string, encoding = 'utf-8'): AsyncIterable<string[]> {
  checkCompression(file);
  if (!/^utf-?8$/i.test(encoding)) {
    // Rare: decode the whole file, then split.
    return (async function* () {
      const text = await readText(file, encoding);
      yield text.split(/\r\n|\n|\r/);
    })();
  }
  let stream: Readable = createReadStream(file, { highWaterMark: 1 << 20 });
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip());
  return utf8LineBatches(stream, file);
}

/** Lines split at \n, \r\n or \r (as readline does), decoded as strict UTF-8. */
async function* utf8LineBatches(stream: Readable, file: string): AsyncIterable<string[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry = '';
  const decode = async (chunk?: Buffer): Promise<string> => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (e) {
      if (e instanceof TypeError) throw utf8Error(file, await readBytes(file));
      throw e;
    }
  };
  const take = (final: boolean): string[] => {
    if (!carry.includes('\r')) {
      // \n only: split natively; the last piece is the unfinished line
      const lines = carry.split('\n');
      carry = lines.pop()!;
      return lines;
    }
    const lines: string[] = [];
    const re = /\r\n|\n|\r/g;
    let start = 0;
    for (let m = re.exec(carry); m; m = re.exec(carry)) {
      // a \r at the very end may be the first half of \r\n
      if (!final && m[0] === '\r' && m.index === carry.length - 1) break;
      lines.push(carry.slice(start, m.index));
      start = m.index + m[0].length;
    }
    carry = carry.slice(start);
    return lines;
  };
  for await (const chunk of stream) {
    carry += await decode(chunk as Buffer);
    const lines = take(false);
    if (lines.length) yield lines;
  }
  carry += await decode();
  const lines = take(true);
  if (carry !== '') lines.push(carry);
  if (lines.length) yield lines;
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
