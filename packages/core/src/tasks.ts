/**
 * `@lm-eval/core/tasks`: the task index (YAML folders, groups, tags), lm-eval's YAML dialect,
 * loading task configs and their datasets (docs/datasets.md), few-shot samplers and the task view
 * that `doc_to_*` helpers receive.
 * @module
 */
export {
  TaskIndex,
  defaultTasksDir,
  listYamlFiles,
  type IndexEntry,
  type IndexKind,
  type TaskIndexOptions,
} from './task/index.ts';
export { loadTasks, type LoadedTasks, type LoadTasksOptions } from './task/group.ts';
export { loadDatasetSplits, type DatasetSpec, type DatasetSplits, type LoadDatasetOptions } from './data/load.ts';
export { applyTemplate } from './template/index.ts';
export { parseYaml, type ParseYamlOptions } from './task/yaml.ts';
export type { Doc, TaskView } from './prompt/task-view.ts';
export {
  DefaultSampler,
  FirstNSampler,
  registerSampler,
  type FewshotSampler,
  type SamplerClass,
  type SamplerInit,
} from './prompt/sampler.ts';
export { registerPythonPort, recognisePort, type PythonPort } from './task/ports.ts';
export { PROFILES, type Profile } from './compat.ts';
