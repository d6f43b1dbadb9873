/**
 * ZIP archives for MERA submissions, written with fflate (a maintained, dependency-free ZIP and
 * deflate library): flat files, deflated when that is smaller, UTF-8 names.
 */
import { writeFileSync } from 'node:fs';
import { zipSync, type Zippable } from 'fflate';

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** modification time (default: now) */
  date?: Date;
}

/** Builds the archive bytes (entries in the given order). */
export function buildZip(entries: ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const e of entries) {
    if (e.name in files) throw new Error(`zip: '${e.name}' appears twice`);
    files[e.name] = [new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), { mtime: e.date ?? new Date(), level: 6 }];
  }
  return Buffer.from(zipSync(files));
}

export function writeZip(file: string, entries: ZipEntry[]): void {
  writeFileSync(file, buildZip(entries));
}
