/**
 * A Python `class:` task (`class: !function task.MyTask`, an lm-eval `Task` / `ConfigurableTask`
 * subclass) living in the helper worker (packages/core/worker/lm_eval_pyfn_task.py). Needs the
 * real `lm_eval` package in the worker's Python. The data its `load_dataset` calls ask for is
 * loaded by the harness (`loadData`) and sent to the worker.
 */
import { LmEvalError } from '../errors.ts';
import type { Doc } from '../prompt/task-view.ts';
import { FunctionRef } from '../task/yaml.ts';
import { pythonAttrCallable, pythonHandleCallable, pythonHandleOf, pythonInfo, pythonHelperExecutable, pythonObjectOf, pythonRequest, pythonTargetOf, type PythonObject } from './session.ts';

/** One `datasets.load_dataset` call of the task (split null: every split, a `DatasetDict`). */
export interface DataRequest {
  path: string | null;
  name: string | null;
  kwargs: Record<string, unknown>;
  split: string | null;
}

export interface PythonTaskSettings {
  /** the task name (lm-eval sets `config.task` to it) */
  task: string;
  /** the YAML dict lm-eval gives the constructor (`cls(config=...)`), without `class` */
  config: Record<string, unknown>;
  numFewshot?: number | null;
  genKwargs?: Record<string, unknown> | null;
  predictOnly?: boolean;
  /** loads what a `load_dataset` call asks for: rows per split, or the rows of `split` */
  loadData(request: DataRequest): Promise<Record<string, Doc[]> | Doc[]>;
}

/** How the task aggregates one metric. */
export interface PythonAggregation {
  fn: (items: unknown[]) => unknown;
  /** `module.qualname` of the Python function (e.g. `lm_eval.api.metrics.mean`) */
  qualname: string;
}

export interface PythonRequestSpec {
  request_type: string;
  arguments: unknown[];
  idx: number;
  repeats: number;
}

interface Described {
  handle: number;
  docs: number;
  version: unknown;
  config: Record<string, unknown>;
  num_fewshot: number | null;
  output_type: string | null;
  higher_is_better: Record<string, boolean | null>;
  aggregation: Record<string, { handle: number; module: string | null; name: string | null }>;
  filters: string[];
}

export class PythonClassTask {
  private constructor(
    private readonly cls: unknown,
    private readonly obj: PythonObject,
    private readonly ref: FunctionRef,
    readonly info: Described,
  ) {}

  /** Builds the task object as lm-eval's task manager does and applies the run's settings. */
  static async build(cls: unknown, settings: PythonTaskSettings): Promise<PythonClassTask> {
    const t = pythonTargetOf(cls);
    if (!t) throw new Error('not a Python class');
    const ref = t.ref;
    const where = `${ref.yamlFile || ref.yamlDir}: class: !function ${ref.raw}`;
    const info = await pythonInfo(cls);
    if (!info.lm_eval) {
      throw new LmEvalError(
        `task '${settings.task}' (${where}) is a Python class task: it needs the Python lm_eval package, which '${pythonHelperExecutable()}' (${info.executable}) does not have`,
        'Install lm-eval into that Python (pip install lm-eval), or pass --python (or set LM_EVAL_PYTHON) with one that has it.',
      );
    }
    const handle = await pythonHandleOf(cls);
    const payload = {
      handle,
      task: settings.task,
      config: settings.config,
      num_fewshot: settings.numFewshot ?? null,
      gen_kwargs: settings.genKwargs ?? null,
      predict_only: Boolean(settings.predictOnly),
    };
    const seen = new Set<string>();
    for (;;) {
      const r = await pythonRequest<Described | { need: DataRequest & { key: string } }>(cls, 'task_new', payload);
      if (!('need' in r)) return new PythonClassTask(cls, pythonObjectOf(cls, r.handle), ref, r);
      const need = r.need;
      // a task that asks for the same data again after receiving it would loop
      if (seen.has(need.key)) throw new LmEvalError(`${where}: load_dataset(${need.key}) was answered and asked for again`);
      seen.add(need.key);
      const rows = await settings.loadData({ path: need.path, name: need.name, kwargs: need.kwargs ?? {}, split: need.split ?? null });
      await pythonRequest(cls, 'task_data', { key: need.key, split: need.split ?? null, rows });
    }
  }

  /** The evaluation docs (lm-eval's `Task.eval_docs`), in order. */
  docs(): Promise<Doc[]> {
    return pythonRequest<Doc[]>(this.cls, 'task_docs', { handle: this.info.handle });
  }

  /** Each doc's requests (`fewshot_context` + `construct_requests`, docs in the given order). */
  requests(
    docIds: number[],
    options: { profile: string; fewshotSeed: number | null; systemInstruction?: string | null; fewshotAsMultiturn: boolean },
  ): Promise<PythonRequestSpec[][]> {
    return pythonRequest(this.cls, 'task_requests', {
      handle: this.info.handle,
      doc_ids: docIds,
      profile: options.profile,
      fewshot_seed: options.fewshotSeed,
      system_instruction: options.systemInstruction ?? null,
      fewshot_as_multiturn: options.fewshotAsMultiturn,
    });
  }

  /** `Task.apply_filters` over the responses: per instance, filter name → filtered value. */
  filter(resps: unknown[][], docs: Doc[]): Promise<Array<Record<string, unknown>>> {
    return pythonRequest(this.cls, 'task_filter', { handle: this.info.handle, resps, docs });
  }

  /** A method of the task object, called synchronously and batched like `!function` helpers. */
  method(name: string): (...args: unknown[]) => unknown {
    return pythonAttrCallable(this.obj, name, this.refFor(name));
  }

  /** The aggregation function of each metric (`Task.aggregation()`). */
  aggregations(): Record<string, PythonAggregation> {
    const out: Record<string, PythonAggregation> = {};
    for (const [metric, a] of Object.entries(this.info.aggregation)) {
      out[metric] = {
        fn: pythonHandleCallable(this.refFor(`aggregation()['${metric}']`), this.obj.file, a.handle) as (items: unknown[]) => unknown,
        qualname: `${a.module ?? ''}.${a.name ?? ''}`,
      };
    }
    return out;
  }

  private refFor(member: string): FunctionRef {
    const r = this.ref;
    return new FunctionRef(r.module, `${r.name}.${member}`, r.yamlDir, `${r.raw}.${member}`, r.yamlFile);
  }
}
