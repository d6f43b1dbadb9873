/**
 * Files of the harness's own caches (task index scan cache and snapshots, request cache): written
 * whole under a temporary name and renamed into place, so a reader never sees half a file, and
 * pruned to the most recently used few.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `text` to `file` through a temporary file renamed into place (creating the folder). */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Removes the `.json` files of `dir` whose name starts with `prefix`, except `spare` and the `keep`
 * most recently modified of the others.
 */
export function removeAllButNewest(dir: string, prefix: string, keep: number, spare: ReadonlySet<string | null> = new Set()): void {
  const others = readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.json') && !spare.has(n))
    .map((n) => ({ n, t: statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of others.slice(keep)) rmSync(path.join(dir, n), { force: true });
}
