/**
 * A persistent cache of the task index's per-file pre-scan (scan.ts `scanIndexKeys`): the index
 * keys of each YAML file, keyed by its absolute path and checked against the file's size, mtime
 * and ctime, so an unchanged tree is indexed from one JSON file instead of reading and parsing
 * thousands of YAML files. Any change to a file (content, replacement, touch) changes its stat
 * and it is scanned again; files no longer seen are dropped when the cache is written.
 *
 * Where: `LMEVAL_TASK_INDEX_CACHE` (a file path; `off` disables it), else
 * `$XDG_CACHE_HOME/lm-eval-ts/task-index.json` (`~/.cache/...`). A cache that cannot be read or
 * written is ignored: the index is then built from the files, as without a cache. Snapshots of
 * whole indexes (index-snapshot.ts) are kept next to this file.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { YamlDict } from './include.ts';
import { scanIndexKeys } from './scan.ts';

const VERSION = 1;
const RACY_MS = 2000;

/** [size, mtimeMs, ctimeMs, index keys] */
type Entry = [number, number, number, YamlDict];

export function taskIndexCachePath(env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env.LMEVAL_TASK_INDEX_CACHE;
  if (v !== undefined && v !== '') return v.toLowerCase() === 'off' ? null : path.resolve(v);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lm-eval-ts', 'task-index.json');
}

export class ScanCache {
  private loaded: Map<string, Entry> | undefined;
  private readonly now = new Map<string, Entry>();
  private changed = false;
  /** Files scanned (not served from the cache) in this run. */
  misses = 0;

  private constructor(
    /** The cache file (null: in memory only). */
    readonly file: string | null,
  ) {}

  /** The cache at `file` (default: {@link taskIndexCachePath}); null = in-memory only. Read on first use. */
  static open(file: string | null = taskIndexCachePath()): ScanCache {
    return new ScanCache(file);
  }

  private get old(): Map<string, Entry> {
    if (this.loaded) return this.loaded;
    this.loaded = new Map<string, Entry>();
    if (this.file) {
      try {
        const data = JSON.parse(readFileSync(this.file, 'utf8')) as { version?: number; files?: Record<string, Entry> };
        if (data.version === VERSION && data.files && typeof data.files === 'object') this.loaded = new Map(Object.entries(data.files));
      } catch {
        // absent or unreadable: start empty
      }
    }
    return this.loaded;
  }

  /**
   * The index keys of `file` (absolute path): from the cache when its stat is unchanged.
   * `onStat` gets the stat the answer rests on (null: the file is missing).
   */
  scan(file: string, onStat?: (st: Stats | null) => void): YamlDict {
    const st = statSync(file, { throwIfNoEntry: false });
    onStat?.(st ?? null);
    if (!st) return scanIndexKeys(file); // let the scan report the missing file
    const seen = this.now.get(file);
    if (seen && seen[0] === st.size && seen[1] === st.mtimeMs && seen[2] === st.ctimeMs) return seen[3];
    const hit = this.old.get(file);
    if (hit && hit[0] === st.size && hit[1] === st.mtimeMs && hit[2] === st.ctimeMs) {
      this.now.set(file, hit);
      return hit[3];
    }
    const keys = scanIndexKeys(file);
    this.misses += 1;
    // A file changed within the last seconds may change again without its times moving (file
    // times advance in clock ticks): it is scanned again next time rather than trusted.
    if (Date.now() - st.mtimeMs > RACY_MS) {
      this.now.set(file, [st.size, st.mtimeMs, st.ctimeMs, keys]);
      this.changed = true;
    }
    return keys;
  }

  /**
   * Writes the entries used in this run (plus those of other trees, kept) when anything changed.
   * `under`: the folders this run indexed completely; their files not seen now are dropped.
   */
  save(under: string[]): void {
    if (!this.file) return;
    const prefixes = under.map((d) => d.replace(/[\\/]+$/, '') + path.sep);
    const files: Record<string, Entry> = {};
    for (const [f, e] of this.old) {
      if (this.now.has(f)) continue;
      if (prefixes.some((p) => f.startsWith(p))) {
        this.changed = true; // deleted or moved
        continue;
      }
      files[f] = e;
    }
    if (!this.changed) return;
    for (const [f, e] of this.now) files[f] = e;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: VERSION, files }));
      renameSync(tmp, this.file);
      this.changed = false;
    } catch {
      // read-only home, full disk...: the index works without the cache
    }
  }
}
