/**
 * `dataset_kwargs` values that are functions (`!function` inside `dataset_kwargs`). lm-eval
 * never calls them: it passes `dataset_kwargs` as they are to `custom_dataset(**metadata,
 * **dataset_kwargs)` or to `datasets.load_dataset(path, name, **dataset_kwargs)`
 * (lm_eval/api/task.py `ConfigurableTask.download`). A `custom_dataset` receives the function
 * itself here too (a Python one in Python, pyfn/codec.ts); the data loader has no option that
 * takes a function, so one reaching it is refused by name instead of being dropped.
 */
import { LmEvalError } from '../errors.ts';
import { isPlainObject } from '../python/values.ts';

/** The dotted key of the first function value in `kwargs` (`data_files.test`), or null. */
export function functionInDatasetKwargs(kwargs: unknown, prefix = 'dataset_kwargs'): string | null {
  if (typeof kwargs === 'function') return prefix;
  const entries = Array.isArray(kwargs) ? kwargs.map((v, i) => [String(i), v] as const) : isPlainObject(kwargs) ? Object.entries(kwargs) : [];
  for (const [k, v] of entries) {
    const found = functionInDatasetKwargs(v, `${prefix}.${k}`);
    if (found) return found;
  }
  return null;
}

/** Throws when `kwargs` (going to the data loader) holds a function; `where` starts the message ('' for none). */
export function assertLoaderDatasetKwargs(kwargs: unknown, where: string): void {
  const key = functionInDatasetKwargs(kwargs);
  if (!key) return;
  throw new LmEvalError(
    `${where ? `${where}: ` : ''}${key} is a !function; lm-eval passes the function itself to datasets.load_dataset, and no option of the data loader takes a function`,
    'Use the function from a custom_dataset helper (it receives dataset_kwargs, the function included), or write the value in the YAML.',
  );
}
