import { LmEvalError } from '../errors.ts';

/** The dataset itself (a Hub repo, a local folder, a data file, a config) cannot be found or read. */
export class DatasetNotFoundError extends LmEvalError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, hint, options);
    this.name = 'DatasetNotFoundError';
  }
}

/** The dataset exists but has no split of the requested name. */
export class SplitNotFoundError extends LmEvalError {
  constructor(
    /** Human label of the dataset: `dataset_path` (and `dataset_name`). */
    public readonly dataset: string,
    public readonly split: string,
    public readonly available: string[],
    hint?: string,
  ) {
    super(
      `Split '${split}' not found in dataset ${dataset}; available splits: ` +
        (available.length ? available.map((s) => `'${s}'`).join(', ') : '(none)'),
      hint ?? 'Check training_split/validation_split/test_split/fewshot_split in the task YAML.',
    );
    this.name = 'SplitNotFoundError';
  }
}

/** `dataset_path` (+ `dataset_name`) as shown in error messages. */
export function datasetLabel(path: string | null | undefined, name: string | null | undefined): string {
  return `dataset_path='${path ?? ''}'` + (name ? `, dataset_name='${name}'` : '');
}
