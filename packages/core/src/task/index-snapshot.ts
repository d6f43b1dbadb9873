/**
 * A snapshot of a whole built task index (names, kinds, files, tags, collisions, warnings) with
 * everything on disk it was derived from, so that an unchanged tree is indexed by checking stats
 * instead of walking folders, reading files and resolving includes.
 *
 * What an index depends on, and how the snapshot checks it is unchanged:
 * - the folders walked (which files exist: YAML files, `.lm-eval-profile` markers, `.py` files):
 *   each folder's mtime and ctime (adding, removing or renaming an entry changes them);
 * - the content of every file read (each YAML file and include, marker files, the `.py` files of
 *   a task folder, which can pin its profile, the built-in ports manifest): size, mtime and ctime;
 * - paths looked for and not found (include candidates, an absent built-in folder): still absent;
 * - the profile pinned for folders outside the walked trees (the parents of an include path,
 *   folders of included files elsewhere): looked up again (a few folders);
 * - the options (profile, built-in folder, include paths, ports registered in-process) through the
 *   snapshot's key, and the working directory when a v0.4.4 include was looked up relative to it.
 * A snapshot is only written when no file or folder changed within the last seconds of its
 * build (file times advance in clock ticks: a change in the same tick would go unseen).
 *
 * Snapshots live next to the scan cache (index-cache.ts), one file per key, the most recent few kept.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import { removeAllButNewest, writeFileAtomic } from '../util/cache-files.ts';
import type { Profile } from '../compat.ts';
import { PROFILE_MARKER_FILE } from '../compat.ts';
import { pinnedProfileForDir } from './profile.ts';

const VERSION = 1;
/** Files and folders changed this recently (ms) before a build make it not worth a snapshot. */
const RACY_MS = 2000;
/** Snapshots kept per cache file (different include paths, profiles, working directories). */
const KEEP = 8;

/** What a snapshot is for: the options a TaskIndex was built with. */
export interface SnapshotKey {
  profile: Profile;
  roots: string[];
  builtinRoot: string | null;
  /** Ports registered in-process that can pin a folder's profile (ports.ts). */
  ports: string;
}

/** The index's own state, as TaskIndex writes and restores it (opaque here). */
export type SnapshotState = Record<string, unknown>;

interface SnapshotFile {
  version: number;
  key: SnapshotKey;
  cwd: string | null;
  dirs: string[];
  /** per dir: [mtimeMs, ctimeMs], or [] for a folder that only holds files (not walked) */
  dirStats: number[][];
  /** flat: dir index, name, size, mtimeMs, ctimeMs, ... */
  files: Array<string | number>;
  absent: string[];
  outside: Array<[string, Profile | null]>;
  state: SnapshotState;
}

/** Records what a build read from disk (see the module comment). */
export class SnapshotDeps {
  private readonly dirIndex = new Map<string, number>();
  private readonly dirs: string[] = [];
  private readonly dirStats: number[][] = [];
  private readonly files = new Map<string, [number, string, number, number, number]>();
  private readonly absentPaths = new Set<string>();
  /** Set when a file or folder changed too recently to be trusted (no snapshot is written). */
  racy = false;
  /** Set when an include was looked up relative to the working directory (v0.4.4). */
  cwdDependent = false;
  private readonly since = Date.now() - RACY_MS;

  private dirId(dir: string): number {
    let i = this.dirIndex.get(dir);
    if (i === undefined) {
      i = this.dirs.length;
      this.dirIndex.set(dir, i);
      this.dirs.push(dir);
      this.dirStats.push([]);
    }
    return i;
  }

  /** A folder whose entries were listed (`entries`: what the listing returned). */
  dir(dir: string, entries: Dirent[]): void {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch {
      this.racy = true; // vanished while listing
      return;
    }
    if (st.mtimeMs > this.since) this.racy = true;
    this.dirStats[this.dirId(dir)] = [st.mtimeMs, st.ctimeMs];
    for (const e of entries) {
      if (e.name === PROFILE_MARKER_FILE || e.name.endsWith('.py')) this.file(path.join(dir, e.name));
    }
  }

  /** A file whose content was read (`st`: its stat when the reader already made one; undefined: missing). */
  file(file: string, st?: Stats | null): void {
    if (this.files.has(file)) return;
    if (st === undefined) st = statSync(file, { throwIfNoEntry: false }) ?? null;
    if (!st) {
      this.absentPaths.add(file);
      return;
    }
    if (st.mtimeMs > this.since) this.racy = true;
    this.files.set(file, [this.dirId(path.dirname(file)), path.basename(file), st.size, st.mtimeMs, st.ctimeMs]);
  }

  /** A path looked for and not found. */
  absent(p: string): void {
    this.absentPaths.add(p);
  }

  /** The snapshot of `state` with these dependencies (folders outside the walked ones get their profile recorded). */
  toFile(key: SnapshotKey, cwd: string, state: SnapshotState): SnapshotFile {
    const outside = new Map<string, Profile | null>();
    const visited = new Set<string>();
    for (const [, [di]] of this.files) {
      for (let d = this.dirs[di]; !visited.has(d); d = path.dirname(d)) {
        visited.add(d);
        const i = this.dirIndex.get(d);
        if (i === undefined || this.dirStats[i].length === 0) outside.set(d, pinnedProfileForDir(d));
        if (path.dirname(d) === d) break;
      }
    }
    const files: Array<string | number> = [];
    for (const e of this.files.values()) files.push(...e);
    return {
      version: VERSION,
      key,
      cwd: this.cwdDependent ? cwd : null,
      dirs: this.dirs,
      dirStats: this.dirStats,
      files,
      absent: [...this.absentPaths],
      outside: [...outside],
      state,
    };
  }

  /** Paths of the files recorded, by their index in the snapshot's `files` (for the index state). */
  fileIds(): Map<string, number> {
    const out = new Map<string, number>();
    let i = 0;
    for (const f of this.files.keys()) out.set(f, i++);
    return out;
  }
}

/** `dir`/`name` for an absolute, normalised folder (path.join's work without its normalising pass). */
function joinName(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

/** The paths of a snapshot's files, in order (the index state refers to files by position). */
export function snapshotFilePaths(snap: { dirs: string[]; files: Array<string | number> }): string[] {
  const out: string[] = [];
  for (let i = 0; i < snap.files.length; i += 5) out.push(joinName(snap.dirs[snap.files[i] as number], snap.files[i + 1] as string));
  return out;
}

function keyText(key: SnapshotKey): string {
  return JSON.stringify([key.profile, key.builtinRoot, key.roots, key.ports]);
}

/** Where the snapshot for `key` (built in `cwd`, when it depends on it) lives, next to the scan cache file. */
function snapshotPath(cacheFile: string, key: SnapshotKey, cwd?: string): string {
  const hash = createHash('sha256')
    .update(keyText(key) + (cwd === undefined ? '' : `\0${cwd}`))
    .digest('hex')
    .slice(0, 16);
  return `${cacheFile.replace(/\.json$/, '')}.snapshot-${hash}.json`;
}

/** True when nothing the snapshot was built from changed (see the module comment). */
function unchanged(snap: SnapshotFile): boolean {
  for (const p of snap.absent) if (statSync(p, { throwIfNoEntry: false })) return false;
  for (let i = 0; i < snap.dirs.length; i++) {
    const want = snap.dirStats[i];
    if (want.length === 0) continue;
    const st = statSync(snap.dirs[i], { throwIfNoEntry: false });
    if (!st || !st.isDirectory() || st.mtimeMs !== want[0] || st.ctimeMs !== want[1]) return false;
  }
  const { dirs, files } = snap;
  for (let i = 0; i < files.length; i += 5) {
    const st = statSync(joinName(dirs[files[i] as number], files[i + 1] as string), { throwIfNoEntry: false });
    if (!st || st.size !== files[i + 2] || st.mtimeMs !== files[i + 3] || st.ctimeMs !== files[i + 4]) return false;
  }
  for (const [dir, profile] of snap.outside) if (pinnedProfileForDir(dir) !== profile) return false;
  return true;
}

/**
 * The state and file paths of a valid snapshot for `key` built in `cwd`, or undefined. The
 * snapshot of an index that does not depend on the working directory is shared by all of them.
 */
export function readSnapshot(cacheFile: string, key: SnapshotKey, cwd: string): { state: SnapshotState; files: string[] } | undefined {
  for (const file of [snapshotPath(cacheFile, key), snapshotPath(cacheFile, key, cwd)]) {
    let snap: SnapshotFile;
    try {
      snap = JSON.parse(readFileSync(file, 'utf8')) as SnapshotFile;
    } catch {
      continue;
    }
    if (snap?.version !== VERSION || keyText(snap.key) !== keyText(key) || (snap.cwd !== null && snap.cwd !== cwd)) continue;
    try {
      if (unchanged(snap)) return { state: snap.state, files: snapshotFilePaths(snap) };
    } catch {
      // unreadable folder, malformed snapshot: build from the files
    }
  }
  return undefined;
}

/** Writes the snapshot of `state` (atomically) and removes all but the most recent few next to it. Failures are ignored. */
export function writeSnapshot(cacheFile: string, key: SnapshotKey, cwd: string, deps: SnapshotDeps, state: SnapshotState): void {
  const snap = deps.toFile(key, cwd, state);
  const file = snapshotPath(cacheFile, key, snap.cwd ?? undefined);
  try {
    writeFileAtomic(file, JSON.stringify(snap));
    removeAllButNewest(path.dirname(file), path.basename(file).replace(/snapshot-[0-9a-f]+\.json$/, 'snapshot-'), KEEP);
  } catch {
    // read-only or full cache folder: the index works without the snapshot
  }
}
