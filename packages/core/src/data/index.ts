// Public API of the dataset loader (see docs/datasets.md).
export { loadDatasetSplits } from './load.ts';
export { loadAllDatasetSplits } from './all-splits.ts';
export type { DatasetSpec, LoadDatasetOptions, DatasetSplits } from './load.ts';
export { DatasetNotFoundError, SplitNotFoundError } from './errors.ts';
export { hubCacheDir, hfHome, HubRepoCache } from './hub-cache.ts';
export { hubEndpoint, hubToken } from './hub-client.ts';
export { MIRROR_ENV, findMirrorFile, mirrorConfigDir } from './mirror.ts';
export { readSplitFiles } from './readers.ts';
export type { Builder as DatasetBuilder } from './layout.ts';
