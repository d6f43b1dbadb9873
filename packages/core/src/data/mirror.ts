/**
 * The offline dataset mirror: with LM_EVAL_DATASETS_DIR set, split S of dataset_path P and
 * dataset_name N (`default` when unset) is first looked up as
 * `$LM_EVAL_DATASETS_DIR/P/N/S.{jsonl,json,parquet,csv}` (first existing extension wins),
 * before any network or cache access.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Builder } from './layout.ts';

export const MIRROR_ENV = 'LM_EVAL_DATASETS_DIR';
export const MIRROR_EXTENSIONS: readonly [string, Builder][] = [
  ['.jsonl', 'json'],
  ['.json', 'json'],
  ['.parquet', 'parquet'],
  ['.csv', 'csv'],
];

/** The mirror folder of a dataset config. */
export function mirrorConfigDir(root: string, datasetPath: string, datasetName: string | null | undefined): string {
  return join(root, ...datasetPath.split('/'), datasetName || 'default');
}

/** The mirror file of a split, with the builder that reads it, or null. */
export async function findMirrorFile(
  root: string,
  datasetPath: string,
  datasetName: string | null | undefined,
  split: string,
): Promise<{ file: string; builder: Builder } | null> {
  const dir = mirrorConfigDir(root, datasetPath, datasetName);
  for (const [ext, builder] of MIRROR_EXTENSIONS) {
    const file = join(dir, split + ext);
    try {
      if ((await stat(file)).isFile()) return { file, builder };
    } catch {
      /* next */
    }
  }
  return null;
}

/** Split names present in a mirror config folder (for error messages). */
export async function mirrorSplits(root: string, datasetPath: string, datasetName: string | null | undefined): Promise<string[]> {
  try {
    const names = await readdir(mirrorConfigDir(root, datasetPath, datasetName));
    const splits = new Set<string>();
    for (const n of names) {
      const ext = MIRROR_EXTENSIONS.find(([e]) => n.endsWith(e));
      if (ext) splits.add(n.slice(0, -ext[0].length));
    }
    return [...splits].sort();
  } catch {
    return [];
  }
}
