/**
 * `data_files` as Hugging Face `datasets` understands them: a string or a list (→ split
 * `train`), a `{split: path(s)}` mapping, or the README form `[{split, path}]`; each path may be
 * a glob (`*`, `**`, `?`, `[...]`). Matching follows `datasets`: results sorted, hidden files and
 * folders (`.x`, `__x`) skipped unless the pattern names them, metadata files like README.md
 * never treated as data.
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, sep } from 'node:path';
import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';
import { LmEvalError } from '../errors.ts';
import { isPlainObject } from '../python/values.ts';

/** picomatch loads with the first pattern (runs whose data files are named plainly never load it). */
let picomatchLib: typeof Picomatch | undefined;
const picomatch = (): typeof Picomatch => (picomatchLib ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch);

/** split → path patterns, in declaration order. */
export type DataFilesSpec = Map<string, string[]>;

/** Basenames `datasets` never takes as data files. */
export const FILES_TO_IGNORE: ReadonlySet<string> = new Set([
  'README.md',
  'config.json',
  'dataset_info.json',
  'dataset_infos.json',
  'dummy_data.zip',
  'dataset_dict.json',
]);

function asPatterns(v: unknown, where: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new LmEvalError(`${where}: expected a path or a list of paths, got ${JSON.stringify(v)}`);
}

/** Normalises any accepted `data_files` value; `where` names it in errors. */
export function normalizeDataFiles(value: unknown, where = 'data_files'): DataFilesSpec {
  const out: DataFilesSpec = new Map();
  const add = (split: string, patterns: string[]) => out.set(split, [...(out.get(split) ?? []), ...patterns]);
  if (typeof value === 'string') add('train', [value]);
  else if (Array.isArray(value) && value.every((x) => typeof x === 'string')) add('train', value as string[]);
  else if (Array.isArray(value)) {
    for (const entry of value) {
      if (!isPlainObject(entry) || typeof entry.split !== 'string' || entry.path === undefined) {
        throw new LmEvalError(`${where}: each entry must be {split: <name>, path: <path or list>}, got ${JSON.stringify(entry)}`);
      }
      add(entry.split, asPatterns(entry.path, `${where}[${entry.split}]`));
    }
  } else if (isPlainObject(value)) {
    for (const [split, v] of Object.entries(value)) add(split, asPatterns(v, `${where}.${split}`));
  } else {
    throw new LmEvalError(`${where}: unsupported value ${JSON.stringify(value)}`, 'Use a path, a list of paths, or {split: path(s)}.');
  }
  return out;
}

/** True when a pattern has glob magic (none without one of picomatch's special characters). */
export function isGlob(pattern: string): boolean {
  return /[*?[\]{}()!+@\\]/.test(pattern) && picomatch().scan(pattern).isGlob;
}

function isHiddenPart(part: string): boolean {
  return part.startsWith('.') || part.startsWith('__');
}

/** Whether `datasets` would skip `file` (a POSIX path) for `pattern`. */
function skipped(file: string, pattern: string): boolean {
  const parts = file.split('/');
  if (FILES_TO_IGNORE.has(parts[parts.length - 1])) return true;
  const patternParts = new Set(pattern.split('/'));
  return parts.some((p) => isHiddenPart(p) && p !== '.' && p !== '..' && !patternParts.has(p));
}

function cleanPosix(p: string): string {
  const n = posix.normalize(p.split(sep).join('/'));
  return n.startsWith('./') ? n.slice(2) : n;
}

/**
 * Files of a listing (repo-relative POSIX paths) matched by one pattern relative to `baseDir`,
 * sorted.
 */
export function matchListing(files: readonly string[], pattern: string, baseDir = ''): string[] {
  const full = cleanPosix(baseDir ? `${baseDir}/${pattern}` : pattern);
  if (!isGlob(full)) return files.includes(full) && !skipped(full, full) ? [full] : [];
  const isMatch = picomatch()(full, { dot: true });
  return files.filter((f) => isMatch(f) && !skipped(f, full)).sort();
}

/** Resolves every split's patterns against a listing; `unmatched` lists patterns that found nothing. */
export function resolveInListing(
  files: readonly string[],
  spec: DataFilesSpec,
  baseDir = '',
): { splits: Map<string, string[]>; unmatched: string[] } {
  const splits = new Map<string, string[]>();
  const unmatched: string[] = [];
  for (const [split, patterns] of spec) {
    const found: string[] = [];
    for (const p of patterns) {
      const m = matchListing(files, p, baseDir);
      if (m.length === 0) unmatched.push(p);
      for (const f of m) if (!found.includes(f)) found.push(f);
    }
    splits.set(split, found);
  }
  return { splits, unmatched };
}

/** Files on disk matched by an absolute pattern (glob or plain path), sorted. */
export async function globFiles(absPattern: string): Promise<string[]> {
  const pattern = absPattern.split(sep).join('/');
  if (!isGlob(pattern)) {
    try {
      const name = pattern.slice(pattern.lastIndexOf('/') + 1);
      return (await stat(absPattern)).isFile() && !FILES_TO_IGNORE.has(name) ? [absPattern] : [];
    } catch {
      return [];
    }
  }
  const scan = picomatch().scan(pattern);
  const base = scan.base || (isAbsolute(pattern) ? '/' : '.');
  const deep = scan.glob.includes('**');
  const maxDepth = deep ? Infinity : scan.glob.split('/').length;
  const isMatch = picomatch()(pattern, { dot: true });
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      const posixPath = p.split(sep).join('/');
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const s = await stat(p);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch {
          continue;
        }
      }
      if (isDir && depth < maxDepth) {
        if (isHiddenPart(e.name) && !pattern.split('/').includes(e.name)) continue;
        await walk(p, depth + 1);
      } else if (isFile && isMatch(posixPath)) {
        // Hidden parts count only below the pattern's fixed base, as in `datasets`.
        const rel = posix.relative(base, posixPath);
        if (!skipped(rel, scan.glob)) out.push(p);
      }
    }
  };
  await walk(base, 1);
  return out.sort();
}
