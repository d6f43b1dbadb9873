/**
 * Where Hugging Face Hub model files are found without downloading, as huggingface_hub lays them
 * out in the hub cache (`hubCacheDir`), one
 * `models--<org>--<name>/snapshots/<commit>` folder per revision (`refs/<revision>` names the commit).
 * `HF_HUB_OFFLINE` / `TRANSFORMERS_OFFLINE` forbid downloads.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { hubCacheDir } from '../data/hub-cache.ts';

export function isHubOffline(env: NodeJS.ProcessEnv = process.env): boolean {
  const on = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
  return on(env.HF_HUB_OFFLINE) || on(env.TRANSFORMERS_OFFLINE);
}

/** Whether `name` has the shape of a Hub repository id (`org/name`). */
export function isHubRepoId(name: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(name);
}

/** The cached snapshot folder of `repoId` at `revision` (a branch/tag name or a commit), or null. */
export function hubSnapshot(repoId: string, revision = 'main', env: NodeJS.ProcessEnv = process.env): { dir: string; sha: string } | null {
  if (!isHubRepoId(repoId)) return null;
  const repoDir = path.join(hubCacheDir(env), `models--${repoId.replace('/', '--')}`);
  let sha: string | null = /^[0-9a-f]{40}$/.test(revision) ? revision : null;
  const ref = path.join(repoDir, 'refs', revision);
  if (!sha && existsSync(ref)) sha = readFileSync(ref, 'utf8').trim();
  if (!sha) return null;
  const dir = path.join(repoDir, 'snapshots', sha);
  try {
    return statSync(dir).isDirectory() ? { dir, sha } : null;
  } catch {
    return null;
  }
}
