/**
 * Every file under a folder, as sorted POSIX paths relative to it. Symbolic links count when
 * they resolve to a file (dangling links are skipped); folders named in `skipDirs` are not entered.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export async function listFilesRecursive(root: string, skipDirs: ReadonlySet<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!skipDirs.has(e.name)) await walk(p);
      } else if (e.isFile() || (e.isSymbolicLink() && (await stat(p).then((s) => s.isFile(), () => false)))) {
        out.push(relative(root, p).split(sep).join('/'));
      }
    }
  };
  await walk(root);
  return out.sort();
}
