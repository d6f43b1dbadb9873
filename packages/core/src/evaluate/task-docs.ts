/**
 * A task's documents (lm-eval's `ConfigurableTask.download` + `test_docs`/`fewshot_docs`): a
 * split from the dataset or the task's `custom_dataset`, passed through a process_docs helper,
 * each (split, helper) pair loaded once.
 */
import { loadDatasetSplits } from '../data/index.ts';
import { LmEvalError } from '../errors.ts';
import { callPython, DatasetRows, isPythonCallable } from '../pyfn/index.ts';
import type { Doc } from '../prompt/task-view.ts';
import type { TaskConfig } from '../task/config.ts';
import { assertLoaderDatasetKwargs } from '../task/dataset-kwargs.ts';

type Fn = (...args: any[]) => any;

const isFn = (v: unknown): v is Fn => typeof v === 'function';

export interface DocSourceOptions {
  /** folder of the task's YAML (relative data files are found there) */
  yamlDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

/** `split` of the task's data after `processDocs` (a function, or none). */
export type DocSource = (split: string, processDocs: unknown) => Promise<Doc[]>;

export function docSource(config: Readonly<TaskConfig>, name: string, options: DocSourceOptions): DocSource {
  const rawSplit = rawSplitSource(config, name, options);
  const cache = new Map<string, Promise<Doc[]>>();
  return (split, processDocs) => {
    const key = `${split}\u0000${isFn(processDocs) ? processDocs.name : ''}`;
    let docs = cache.get(key);
    if (!docs) {
      docs = rawSplit(split).then((rows) => processedDocs(rows, processDocs, name, split));
      cache.set(key, docs);
    }
    return docs;
  };
}

/** The rows of a split as the dataset (or `custom_dataset`) holds them. */
function rawSplitSource(config: Readonly<TaskConfig>, name: string, options: DocSourceOptions): (split: string) => Promise<Doc[]> {
  const custom = config.custom_dataset;
  if (isFn(custom)) {
    let data: Promise<Record<string, Doc[]>> | undefined;
    return async (split) => {
      // lm-eval: custom_dataset(**metadata, **dataset_kwargs) (api/task.py ConfigurableTask.download)
      data ??= customDataset(custom, { ...(config.metadata ?? {}), ...(config.dataset_kwargs ?? {}) });
      const splits = await data;
      const rows = splits[split];
      if (!rows) throw new LmEvalError(`task '${name}': custom_dataset has no split '${split}' (splits: ${Object.keys(splits).join(', ')})`);
      return rows;
    };
  }
  return async (split) => {
    assertLoaderDatasetKwargs(config.dataset_kwargs, `task '${name}'`);
    const data = await loadDatasetSplits(
      { datasetPath: config.dataset_path ?? undefined, datasetName: config.dataset_name, datasetKwargs: config.dataset_kwargs },
      { splits: [split], yamlDir: options.yamlDir, cwd: options.cwd, env: options.env, onProgress: options.onProgress },
    );
    return data[split];
  };
}

async function customDataset(fn: Fn, kwargs: Record<string, unknown>): Promise<Record<string, Doc[]>> {
  return (isPythonCallable(fn) ? await callPython(fn, [], kwargs) : await fn(kwargs)) as Record<string, Doc[]>;
}

async function processedDocs(rows: Doc[], processDocs: unknown, name: string, split: string): Promise<Doc[]> {
  if (isPythonCallable(processDocs)) return checkedDocs(await callPython(processDocs, [new DatasetRows(rows)]), name, processDocs as Fn, split);
  return isFn(processDocs) ? checkedDocs(await processDocs(rows), name, processDocs, split) : rows;
}

/** What process_docs returned, as the list of docs lm-eval iterates; anything else is named. */
function checkedDocs(out: unknown, task: string, fn: Fn, split: string): Doc[] {
  if (Array.isArray(out)) return out as Doc[];
  if (out !== null && typeof out === 'object' && typeof (out as Iterable<unknown>)[Symbol.iterator] === 'function') return [...(out as Iterable<Doc>)];
  const what = out === null || out === undefined ? String(out) : typeof out === 'object' ? `an object (${Object.keys(out).slice(0, 5).join(', ') || 'no keys'})` : `${typeof out} ${JSON.stringify(out)?.slice(0, 40)}`;
  throw new LmEvalError(
    `task '${task}': process_docs (${fn.name || 'anonymous function'}) returned ${what} for split '${split}', not a list of documents`,
    'make the process_docs helper return the processed list (or dataset) of documents',
  );
}

/** The split the task is evaluated on: test_split, else validation_split. */
export function evalSplitOf(config: Readonly<TaskConfig>, name: string): string {
  const split = config.test_split ?? config.validation_split;
  if (!split) throw new LmEvalError(`task '${name}': no test_split or validation_split is set`, 'add test_split (or validation_split) to the task YAML');
  return split;
}

/** The evaluated docs (never empty). */
export async function loadEvalDocs(docs: DocSource, config: Readonly<TaskConfig>, name: string): Promise<{ split: string; docs: Doc[] }> {
  const split = evalSplitOf(config, name);
  const evalDocs = await docs(split, config.process_docs);
  if (evalDocs.length === 0) throw new LmEvalError(`task '${name}': the evaluation split '${split}' is empty`);
  return { split, docs: evalDocs };
}
