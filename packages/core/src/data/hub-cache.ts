/**
 * The Hugging Face Hub cache on disk, in the layout Python's `huggingface_hub` uses, so that a
 * cache filled by Python is reused here and the other way round:
 *
 *   <cache>/datasets--<owner>--<name>/
 *     blobs/<etag>                      file contents (etag: sha256 for LFS files, git sha1 else)
 *     snapshots/<commit>/<path>         relative symlinks to ../../blobs/<etag> (copies where
 *                                       symlinks are not possible)
 *     refs/<revision>                   the commit a branch/tag pointed to (e.g. refs/main;
 *                                       refs/refs/convert/parquet for the Parquet conversion)
 *
 * <cache> = $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
 * $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
 */
import { listFilesRecursive } from '../util/walk.ts';
import { copyFile, lstat, mkdir, readFile, rename, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

export const COMMIT_HASH_RE = /^[0-9a-f]{40}$/;

/** The Hub cache folder for an environment (same precedence as Python's huggingface_hub). */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return expandHome(env.HF_HUB_CACHE);
  if (env.HUGGINGFACE_HUB_CACHE) return expandHome(env.HUGGINGFACE_HUB_CACHE);
  return join(hfHome(env), 'hub');
}

/** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return expandHome(env.HF_HOME);
  const xdg = env.XDG_CACHE_HOME ? expandHome(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(xdg, 'huggingface');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** One dataset repository's folder in the Hub cache. */
export class HubRepoCache {
  readonly root: string;

  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
    readonly repoType: 'dataset' | 'model' = 'dataset',
  ) {
    this.root = join(cacheDir, [`${repoType}s`, ...repoId.split('/')].join('--'));
  }

  snapshotDir(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  /** The commit a revision points to in the cache: the revision itself when it is a commit hash. */
  async commitFor(revision: string): Promise<string | null> {
    if (COMMIT_HASH_RE.test(revision)) return (await exists(this.snapshotDir(revision))) ? revision : null;
    try {
      const sha = (await readFile(join(this.root, 'refs', revision), 'utf8')).trim();
      return COMMIT_HASH_RE.test(sha) ? sha : null;
    } catch {
      return null;
    }
  }

  /** Records `refs/<revision>` → commit (not for commit hashes, as Python does). */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const file = join(this.root, 'refs', revision);
    try {
      if ((await readFile(file, 'utf8')) === commit) return;
    } catch {
      /* absent */
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, commit);
  }

  /** Every file of a cached snapshot, as repo-relative POSIX paths, sorted. */
  async listSnapshot(commit: string): Promise<string[]> {
    return listFilesRecursive(this.snapshotDir(commit));
  }

  /** Absolute path of a file in a snapshot, or null when it is not cached. */
  async cachedFile(commit: string, path: string): Promise<string | null> {
    const p = join(this.snapshotDir(commit), ...path.split('/'));
    return (await exists(p)) ? p : null;
  }

  blobPath(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  async hasBlob(etag: string): Promise<boolean> {
    return exists(this.blobPath(etag));
  }

  /** Streams a download into blobs/<etag> (atomically: a temporary file renamed at the end). */
  async writeBlob(etag: string, body: Readable): Promise<void> {
    const blob = this.blobPath(etag);
    await mkdir(dirname(blob), { recursive: true });
    const tmp = `${blob}.${process.pid}.${Math.random().toString(36).slice(2)}.incomplete`;
    try {
      await pipeline(body, createWriteStream(tmp));
      await rename(tmp, blob);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** Points snapshots/<commit>/<path> at blobs/<etag> (relative symlink, or a copy). */
  async linkSnapshot(commit: string, path: string, etag: string): Promise<string> {
    const pointer = join(this.snapshotDir(commit), ...path.split('/'));
    const blob = this.blobPath(etag);
    await mkdir(dirname(pointer), { recursive: true });
    try {
      await lstat(pointer);
      await unlink(pointer);
    } catch {
      /* absent */
    }
    try {
      await symlink(relative(dirname(pointer), blob), pointer);
    } catch {
      await copyFile(blob, pointer);
    }
    return pointer;
  }
}
