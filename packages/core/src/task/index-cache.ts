/**
 * A persistent cache of the task index's per-file pre-scan (scan.ts `scanIndexKeys`): the index
 * keys of each YAML file, keyed by its absolute path and checked against the file's size, mtime
 * and ctime, so an unchanged tree is indexed from the cache instead of reading and parsing
 * thousands of YAML files. Any change to a file (content, replacement, touch) changes its stat
 * and it is scanned again; files no longer seen under an indexed folder are dropped when the
 * cache is written.
 *
 * One cache file per indexed root folder (the built-in tasks, each `--include_path`), so a run
 * reads and writes only the files of the folders it indexes: `<base>.scan-<hash>.json`, the hash
 * taken from the folder's absolute path. A file lives in the cache of the longest indexed folder
 * holding it; a file outside all of them (an include elsewhere) in the cache of the folder whose
 * walk read it. A root's file is rewritten only when one of its entries changed; the most recently
 * used {@link KEEP_ROOTS} root files are kept (the file's mtime is its last use), older ones removed.
 *
 * Where: `<base>` is `LMEVAL_TASK_INDEX_CACHE` without `.json` (a file path naming the cache's
 * base; `off` disables it), else `$XDG_CACHE_HOME/lm-eval-ts/task-index.json` (`~/.cache/...`).
 * The base file itself is the single-file cache of earlier versions: it is removed when found.
 * A cache that cannot be read or written is ignored: the index is then built from the files, as
 * without a cache. Snapshots of whole indexes (index-snapshot.ts) are kept next to it.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync, statSync, utimesSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeAllButNewest, writeFileAtomic } from '../util/cache-files.ts';
import type { YamlDict } from './include.ts';
import { scanIndexKeys } from './scan.ts';

const VERSION = 2;
const RACY_MS = 2000;
/** Root folders whose scan cache is kept (the most recently used). */
export const KEEP_ROOTS = 16;

/** [size, mtimeMs, ctimeMs, index keys] */
type Entry = [number, number, number, YamlDict];

export function taskIndexCachePath(env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env.LMEVAL_TASK_INDEX_CACHE;
  if (v !== undefined && v !== '') return v.toLowerCase() === 'off' ? null : path.resolve(v);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lm-eval-ts', 'task-index.json');
}

/** The scan cache file of root folder `root` for the cache based at `base`. */
export function rootCachePath(base: string, root: string): string {
  const hash = createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16);
  return `${base.replace(/\.json$/, '')}.scan-${hash}.json`;
}

/** The cache of one root folder: what was read from disk, what this run used, whether it changed. */
class RootCache {
  private loaded: Map<string, Entry> | undefined;
  readonly now = new Map<string, Entry>();
  changed = false;
  /** The root with a trailing separator: what the paths of its files start with. */
  readonly prefix: string;

  constructor(
    readonly root: string,
    /** Its cache file (null: in memory only). */
    readonly file: string | null,
    private readonly onRead?: (file: string) => void,
  ) {
    this.prefix = root.endsWith(path.sep) ? root : root + path.sep;
  }

  get old(): Map<string, Entry> {
    if (this.loaded) return this.loaded;
    this.loaded = new Map<string, Entry>();
    if (this.file) {
      this.onRead?.(this.file);
      try {
        const data = JSON.parse(readFileSync(this.file, 'utf8')) as { version?: number; root?: string; files?: Record<string, Entry> };
        if (data.version === VERSION && data.root === this.root && data.files && typeof data.files === 'object') this.loaded = new Map(Object.entries(data.files));
      } catch {
        // absent or unreadable: start empty
      }
    }
    return this.loaded;
  }
}

export class ScanCache {
  private roots: RootCache[] = [];
  private current: RootCache | undefined;
  /** Files scanned (not served from the cache) in this run. */
  misses = 0;
  /** Cache files read in this run. */
  readonly filesRead: string[] = [];

  private constructor(
    /** The cache's base path (null: in memory only); root files and snapshots are named after it. */
    readonly file: string | null,
  ) {}

  /** The cache based at `file` (default: {@link taskIndexCachePath}); null = in-memory only. Root files are read on first use. */
  static open(file: string | null = taskIndexCachePath()): ScanCache {
    return new ScanCache(file);
  }

  /** The root folders this run indexes (absolute); only their cache files are read or written. */
  setRoots(roots: string[]): void {
    this.roots = roots.map((r) => {
      const root = rootKey(r);
      return new RootCache(root, this.file && rootCachePath(this.file, root), (f) => this.filesRead.push(f));
    });
  }

  /** The root folder being walked: files outside all roots read now are cached with it. */
  enter(root: string): void {
    const abs = rootKey(root);
    this.current = this.roots.find((r) => r.root === abs);
  }

  /** The cache of the longest root holding `file` (undefined: outside all of them). */
  private ownerOf(file: string): RootCache | undefined {
    let best: RootCache | undefined;
    for (const r of this.roots) {
      if (file.startsWith(r.prefix) && (!best || r.root.length > best.root.length)) best = r;
    }
    return best;
  }

  /**
   * The index keys of `file` (absolute path): from the cache when its stat is unchanged.
   * `onStat` gets the stat the answer rests on (null: the file is missing).
   */
  scan(file: string, onStat?: (st: Stats | null) => void): YamlDict {
    const rc = this.ownerOf(file) ?? this.current;
    const known = rc && (rc.now.get(file) ?? rc.old.get(file));
    if (!known) {
      const keys = this.scanUnknown(rc, file, onStat);
      if (keys) return keys;
    }
    const st = statSync(file, { throwIfNoEntry: false });
    onStat?.(st ?? null);
    if (!st) return scanIndexKeys(file); // let the scan report the missing file
    const same = (e: Entry | undefined): e is Entry => !!e && e[0] === st.size && e[1] === st.mtimeMs && e[2] === st.ctimeMs;
    if (rc) {
      const seen = rc.now.get(file);
      if (same(seen)) return seen[3];
      const hit = rc.old.get(file);
      if (same(hit)) {
        rc.now.set(file, hit);
        return hit[3];
      }
    }
    const keys = scanIndexKeys(file);
    this.record(rc, file, st, keys);
    return keys;
  }

  /**
   * A file the cache has no entry for is scanned at once: opened once for both its stat (fstat,
   * no second path look-up) and its text. undefined when it is not a regular file that opens (the
   * path way then reports it as before).
   */
  private scanUnknown(rc: RootCache | undefined, file: string, onStat?: (st: Stats | null) => void): YamlDict | undefined {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      onStat?.(st);
      const keys = scanIndexKeys(file, readFileSync(fd, 'utf8'));
      this.record(rc, file, st, keys);
      return keys;
    } finally {
      closeSync(fd);
    }
  }

  /** Counts a scanned file and keeps its keys for the cache file. */
  private record(rc: RootCache | undefined, file: string, st: Stats, keys: YamlDict): void {
    this.misses += 1;
    // A file changed within the last seconds may change again without its times moving (file
    // times advance in clock ticks): it is scanned again next time rather than trusted.
    if (rc && Date.now() - st.mtimeMs > RACY_MS) {
      rc.now.set(file, [st.size, st.mtimeMs, st.ctimeMs, keys]);
      rc.changed = true;
    }
  }

  /**
   * Writes the cache file of each root whose entries changed (and marks the others used).
   * `under`: the folders this run indexed completely; their files not seen now are dropped.
   */
  save(under: string[]): void {
    if (!this.file) return;
    const complete = new Set(under.map((d) => rootKey(d)));
    let wrote = false;
    for (const rc of this.roots) {
      if (!rc.file || !complete.has(rc.root)) continue;
      const files: Record<string, Entry> = {};
      for (const [f, e] of rc.old) {
        if (rc.now.has(f)) continue;
        // a file of this root not seen now was deleted or moved; one outside it is kept
        if (this.ownerOf(f) === rc) rc.changed = true;
        else files[f] = e;
      }
      if (!rc.changed) continue;
      for (const [f, e] of rc.now) files[f] = e;
      try {
        writeFileAtomic(rc.file, JSON.stringify({ version: VERSION, root: rc.root, files }));
        rc.changed = false;
        wrote = true;
      } catch {
        // read-only home, full disk...: the index works without the cache
      }
    }
    this.markUsed();
    if (wrote) this.evict();
  }

  /** Marks this run's root files as just used (their mtime is the recency the eviction goes by) and drops the old single-file cache. */
  markUsed(): void {
    if (!this.file) return;
    const now = new Date();
    for (const rc of this.roots) {
      try {
        if (rc.file) utimesSync(rc.file, now, now);
      } catch {
        // not written (yet): nothing to mark
      }
    }
    removeLegacyCache(this.file);
  }

  /** Removes the root files beyond the {@link KEEP_ROOTS} most recently used (never this run's). */
  private evict(): void {
    if (!this.file) return;
    try {
      const dir = path.dirname(this.file);
      const prefix = `${path.basename(this.file).replace(/\.json$/, '')}.scan-`;
      const mine = new Set(this.roots.map((r) => r.file && path.basename(r.file)));
      removeAllButNewest(dir, prefix, Math.max(0, KEEP_ROOTS - mine.size), mine);
    } catch {
      // unreadable cache folder: nothing removed
    }
  }
}

/** A root folder as the cache keys it: absolute, without trailing separators (`/` stays `/`). */
function rootKey(dir: string): string {
  return path.resolve(dir).replace(/[\\/]+$/, '') || path.sep;
}

/** Removes `base` when it is the single-file scan cache of earlier versions (`{"version":1,"files":…`). */
function removeLegacyCache(base: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(base, 'r');
    const head = Buffer.alloc(32);
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    fd = undefined;
    if (/^\{"version":1,"files":/.test(head.subarray(0, n).toString('utf8'))) rmSync(base, { force: true });
  } catch {
    if (fd !== undefined) closeSync(fd);
  }
}
