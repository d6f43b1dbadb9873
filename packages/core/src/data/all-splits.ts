/**
 * `datasets.load_dataset(path, name, **kwargs)` without `split=`: every split of the dataset (what
 * a `DatasetDict` holds), e.g. for Python `class:` tasks, whose lm-eval `download()` loads so
 * (lm_eval/api/task.py `ConfigurableTask.download`).
 */
import { DatasetNotFoundError, SplitNotFoundError } from './errors.ts';
import { loadDatasetSplits, type DatasetSpec, type DatasetSplits, type LoadDatasetOptions } from './load.ts';
import { MIRROR_ENV, mirrorSplits } from './mirror.ts';

/** A split name no dataset has: asking for it makes the loader list the splits there are. */
const PROBE = '\u0000every split';

export async function loadAllDatasetSplits(spec: DatasetSpec, options: Omit<LoadDatasetOptions, 'splits'>): Promise<DatasetSplits> {
  const mirror = (options.env ?? process.env)[MIRROR_ENV];
  const inMirror = mirror && spec.datasetPath ? await mirrorSplits(mirror, spec.datasetPath, spec.datasetName ?? null) : [];
  let splits: string[];
  try {
    await loadDatasetSplits(spec, { ...options, splits: [PROBE] });
    splits = [];
  } catch (e) {
    if (e instanceof SplitNotFoundError && e.split === PROBE) splits = [...new Set([...e.available, ...inMirror])];
    else if (e instanceof DatasetNotFoundError && inMirror.length) splits = inMirror;
    else throw e;
  }
  return loadDatasetSplits(spec, { ...options, splits });
}
