/**
 * `lm-eval cache stats <path>` and `lm-eval cache clear <path>`: inspect or empty a response
 * cache (`--use_cache <path>`). `<path>` is the `--use_cache` prefix or the `_rank0.db` file.
 */
import { ResponseStore, cacheFileSize, resolveResponseCacheFile } from '@lm-eval/core/cache';

function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} B` : `${v.toFixed(1)} ${units[u]} (${bytes} bytes)`;
}

/** Prints the file, its entry count per request type and its size on disk. */
export async function cacheStatsCommand(pathOrPrefix: string): Promise<void> {
  const file = resolveResponseCacheFile(pathOrPrefix);
  const size = cacheFileSize(file);
  const store = ResponseStore.open(file, { existing: true });
  try {
    const total = store.count();
    const byType = store.countByShape();
    const lines = [`cache: ${file}`, `entries: ${total}`];
    for (const [type, n] of Object.entries(byType)) {
      if (n > 0 || type !== 'other') lines.push(`  ${type}: ${n}`);
    }
    lines.push(`size on disk: ${humanSize(size)}`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    store.close();
  }
}

/** Deletes every entry (the file stays, empty) and says how many were removed. */
export async function cacheClearCommand(pathOrPrefix: string): Promise<void> {
  const file = resolveResponseCacheFile(pathOrPrefix);
  const store = ResponseStore.open(file, { existing: true });
  try {
    const n = store.clear();
    process.stdout.write(`cleared ${n} ${n === 1 ? 'entry' : 'entries'} from ${file}\n`);
  } finally {
    store.close();
  }
}
