/**
 * Turns a loaded task (config + raw YAML) into an {@link EvalTask}: loads its docs, applies
 * process_docs, wires doc_to_* accessors, the few-shot pool and sampler, filters and scoring,
 * and dumps the config as results `configs` shows it (before any request is built).
 */
import path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError, LmEvalErrors } from '../errors.ts';
import { loadDatasetSplits } from '../data/index.ts';
import type { Doc, DocAccessors, TaskView } from '../prompt/task-view.ts';
import { getSampler, type SamplerClass } from '../prompt/sampler.ts';
import { DocFormatter } from '../task/doc-to.ts';
import { TASK_FIELDS, type TaskConfig } from '../task/config.ts';
import type { ResolvedTask } from '../task/group.ts';
import { FunctionRef } from '../task/yaml.ts';
import { pythonSourceOf } from '../task/functions.ts';
import { isPlainObject, PyFloat, toNumber } from '../python/values.ts';
import { buildFilterPipelines } from './filters/index.ts';
import { resolveMetricList, aggregationForKey, type MetricSpec } from './metrics/registry.ts';
import { builtinProcessResults } from './process-results.ts';
import { resolveAggregation } from './aggregations/registry.ts';
import { isAnswerMetricEntry, resolveAnswerMetric, type ResolvedAnswerMetric } from './answers/resolve.ts';
import type { EvalTask } from './eval-task.ts';
import { preparePythonClassTask } from './python-class-task.ts';
import { pythonSampler } from '../pyfn/sampler.ts';
import { assertLoaderDatasetKwargs } from '../task/dataset-kwargs.ts';
import type { ContextBasedHooks } from './run-requests.ts';
import type { Instance } from '../request/instance.ts';
import { callPython, DatasetRows, isPending, isPythonCallable, mapBatched, prestartPython, withTaskName } from '../pyfn/index.ts';

export interface PrepareOptions {
  /** run-level profile (outputs) */
  runProfile: Profile;
  numFewshot?: number;
  genKwargs?: Record<string, unknown> | null;
  predictOnly: boolean;
  confirmRunUnsafeCode: boolean;
  metadata?: Record<string, unknown>;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  warn?: (msg: string) => void;
  onProgress?: (msg: string) => void;
}

type Fn = (...args: any[]) => any;

const isFn = (v: unknown): v is Fn => typeof v === 'function';

function evalSplitOf(cfg: TaskConfig, name: string): string {
  const split = cfg.test_split ?? cfg.validation_split;
  if (!split) {
    throw new LmEvalError(`task '${name}': no test_split or validation_split is set`, 'add test_split (or validation_split) to the task YAML');
  }
  return split;
}

/** `str(obj)` of a Python callable named by a `!function` reference, as lm-eval dumps nested callables. */
function callableRepr(ref: FunctionRef): string {
  return /^[A-Z]/.test(ref.name) ? `<class '${ref.raw}'>` : `<function ${ref.name}>`;
}

function dumpValue(value: unknown, raw: unknown, profile: Profile, topLevel: boolean): unknown {
  if (raw instanceof FunctionRef) {
    if (topLevel) return pythonSourceOf(raw, profile) ?? callableRepr(raw);
    return callableRepr(raw);
  }
  if (isFn(value)) return topLevel ? `<function ${value.name}>` : `<function ${value.name}>`;
  if (Array.isArray(value)) {
    return value.map((v, i) => dumpValue(v, Array.isArray(raw) ? raw[i] : undefined, profile, false));
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = dumpValue(v, isPlainObject(raw) ? raw[k] : undefined, profile, false);
    return out;
  }
  return value;
}

/** TaskConfig as results `configs` shows it: field order, None-valued fields removed. */
export function dumpTaskConfig(cfg: TaskConfig, raw: Record<string, unknown>, profile: Profile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const c = cfg as unknown as Record<string, unknown>;
  for (const field of TASK_FIELDS[profile]) {
    const v = c[field];
    if (v === null || v === undefined) continue;
    if (field === 'metric_list' && Array.isArray(v)) {
      out[field] = v.map((m, i) => {
        const r = Array.isArray(raw.metric_list) ? (raw.metric_list as unknown[])[i] : undefined;
        const e: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(m as Record<string, unknown>)) {
          const rx = isPlainObject(r) ? r[k] : undefined;
          e[k] = rx instanceof FunctionRef ? pythonSourceOf(rx, profile) ?? callableRepr(rx) : isFn(x) ? `<function ${x.name}>` : dumpValue(x, rx, profile, false);
        }
        return e;
      });
      continue;
    }
    out[field] = dumpValue(v, raw[field], profile, true);
  }
  return out;
}

/** What process_docs returned, as the list of docs lm-eval iterates; anything else is named. */
function checkedDocs(out: unknown, task: string, fn: Fn, split: string): Doc[] {
  if (Array.isArray(out)) return out as Doc[];
  if (out !== null && typeof out === 'object' && typeof (out as Iterable<unknown>)[Symbol.iterator] === 'function') return [...(out as Iterable<Doc>)];
  const what = out === null || out === undefined ? String(out) : Array.isArray(out) ? 'a list' : typeof out === 'object' ? `an object (${Object.keys(out).slice(0, 5).join(', ') || 'no keys'})` : `${typeof out} ${JSON.stringify(out)?.slice(0, 40)}`;
  throw new LmEvalError(
    `task '${task}': process_docs (${fn.name || 'anonymous function'}) returned ${what} for split '${split}', not a list of documents`,
    'make the process_docs helper return the processed list (or dataset) of documents',
  );
}

/** The first `!function` of the config (at any depth) that runs in the Python helper worker. */
function firstPythonHelper(v: unknown, depth = 0): unknown {
  if (isPythonCallable(v)) return v;
  if (depth > 6 || v === null || typeof v !== 'object') return undefined;
  const items = Array.isArray(v) ? v : isPlainObject(v) ? Object.values(v) : [];
  for (const x of items) {
    const f = firstPythonHelper(x, depth + 1);
    if (f) return f;
  }
  return undefined;
}

/**
 * Runs every doc_to_* accessor on `docs` so that their Python calls are answered in one batch
 * per function. Errors are not raised here: a call that fails raises again where it is used.
 */
async function prefetchDocTo(acc: DocAccessors, docs: Doc[]): Promise<void> {
  const jobs: Array<() => unknown> = [];
  for (const d of docs) jobs.push(() => acc.docToText(d), () => acc.docToTarget(d), () => acc.docToChoice(d), () => acc.genPrefix(d));
  await mapBatched(jobs, (job) => {
    try {
      return job();
    } catch (e) {
      if (isPending(e)) throw e;
      return undefined;
    }
  });
}

/**
 * Prepares every task in order; all are tried, so one run names every broken task (each error
 * naming its task and YAML file).
 */
export async function prepareTasks(tasks: readonly ResolvedTask[], options: PrepareOptions, hooks: { phase?: (phase: string) => void; signal?: AbortSignal } = {}): Promise<EvalTask[]> {
  const prepared: EvalTask[] = [];
  const failures: unknown[] = [];
  for (const t of tasks) {
    hooks.phase?.(`loading dataset for ${t.name}`);
    hooks.signal?.throwIfAborted();
    try {
      prepared.push(await prepareTask(t, options));
    } catch (e) {
      failures.push(withTaskFile(e, t.name, t.yamlPath));
    }
  }
  if (failures.length) throw LmEvalErrors.combine(failures, 'tasks failed to prepare');
  return prepared;
}

/** A user error about a task, with the task and its YAML file named (once). */
function withTaskFile(e: unknown, task: string, file: string | null): unknown {
  if (!(e instanceof LmEvalError) || e instanceof LmEvalErrors) return e;
  let message = e.message;
  if (!message.includes(`'${task}'`)) message = `task '${task}': ${message}`;
  if (file && !message.includes(file)) message = `${file}: ${message}`;
  return message === e.message ? e : new LmEvalError(message, e.hint, { cause: e });
}

export async function prepareTask(resolved: ResolvedTask, options: PrepareOptions): Promise<EvalTask> {
  try {
    if (resolved.pythonClass) return await preparePythonClassTask(resolved, options);
    return await prepareTaskInner(resolved, options);
  } catch (e) {
    throw withTaskName(e, resolved.name);
  }
}

async function prepareTaskInner(resolved: ResolvedTask, options: PrepareOptions): Promise<EvalTask> {
  const name = resolved.name;
  const profile = resolved.profile;
  const cfg = resolved.config;
  const c = cfg as unknown as Record<string, unknown>;
  const yamlDir = resolved.yamlPath ? path.dirname(resolved.yamlPath) : options.cwd ?? process.cwd();

  if (c.unsafe_code === true && !options.confirmRunUnsafeCode) {
    throw new LmEvalError(
      `task '${name}' executes model-generated code (unsafe_code: true)`,
      'rerun with --confirm_run_unsafe_code to allow it (the code runs in a sandboxed subprocess)',
    );
  }
  if (cfg.doc_to_image != null || cfg.doc_to_audio != null) {
    throw new LmEvalError(`task '${name}' is multimodal (doc_to_image/doc_to_audio); text backends cannot run it`);
  }

  // --- overrides from the run
  if (options.numFewshot !== undefined && options.numFewshot !== null) {
    if (cfg.num_fewshot === 0) options.warn?.(`task '${name}': num_fewshot is 0 in its YAML; --num_fewshot ${options.numFewshot} is ignored`);
    else cfg.num_fewshot = options.numFewshot;
  } else if (cfg.num_fewshot === null || cfg.num_fewshot === undefined) {
    // simple_evaluate: a task without a default num_fewshot runs (and is dumped) with 0
    cfg.num_fewshot = 0;
  }
  if (options.genKwargs && cfg.output_type === 'generate_until') {
    cfg.generation_kwargs = { ...(cfg.generation_kwargs ?? {}), ...options.genKwargs };
    if ('temperature' in cfg.generation_kwargs) {
      const t = toNumber(cfg.generation_kwargs.temperature);
      cfg.generation_kwargs.temperature = Number.isInteger(t) ? new PyFloat(t) : t;
    }
  }
  const rawForDump: Record<string, unknown> = { ...resolved.raw };
  if (options.predictOnly) {
    cfg.metric_list = [{ metric: 'bypass' }];
    rawForDump.metric_list = [{ metric: 'bypass' }];
    if (profile === 'latest') c.process_results = 'process_results';
    else c.process_results = null;
    rawForDump.process_results = undefined;
  }
  const configDump = dumpTaskConfig(cfg, rawForDump, profile);
  if (options.predictOnly && profile === 'latest') configDump.process_results = 'process_results';

  // --- filters and scoring (before the data is loaded: a wrong name fails without a download)
  const filters = buildFilterPipelines(cfg.filter_list ?? undefined, {
    profile,
    confirmRunUnsafeCode: options.confirmRunUnsafeCode,
    where: `task '${name}'`,
  });
  const customPR = isFn(c.process_results) ? (c.process_results as Fn) : null;
  // answer metrics (judges, lengths, times) are scored after generation, not by process_results
  const { answerMetrics, otherEntries } = splitAnswerMetrics(name, cfg.output_type, (cfg.metric_list as MetricSpec[] | null) ?? null);
  const { metrics, warnings } = resolveMetricList({
    task: name,
    outputType: cfg.output_type,
    metricList: otherEntries,
    customProcessResults: customPR !== null,
    profile,
  });
  for (const w of warnings) options.warn?.(w);
  const higherIsBetter: Record<string, boolean | null> = {};
  for (const m of metrics) higherIsBetter[m.name] = m.higherIsBetter;
  const answerKeys = new Set<string>();
  for (const m of answerMetrics) {
    for (const k of m.keys) {
      answerKeys.add(k);
      higherIsBetter[k] = k === m.name ? m.higherIsBetter : null;
    }
  }
  const repeatSeed = (cfg.metadata as Record<string, unknown> | null | undefined)?.repeat_seed;
  if (repeatSeed !== undefined && repeatSeed !== null && !(typeof repeatSeed === 'number' && Number.isInteger(repeatSeed))) {
    throw new LmEvalError(`task '${name}': metadata.repeat_seed must be an integer, got ${JSON.stringify(repeatSeed)}`);
  }
  const warnedKeys = new Set<string>();
  // keys of a metric function's dict result inherit the source metric's aggregation and direction
  const expandedFrom = new Map<string, string>();
  const onExpand = (source: string, key: string): void => {
    if (metrics.some((m) => m.name === key) || expandedFrom.has(key)) return;
    expandedFrom.set(key, source);
    if (source in higherIsBetter && !(key in higherIsBetter)) higherIsBetter[key] = higherIsBetter[source];
  };

  // Python helpers: the worker starts while the data loads
  const pythonHelpers = firstPythonHelper(c);
  if (pythonHelpers) prestartPython(pythonHelpers);

  // --- docs
  const splitCache = new Map<string, Promise<Doc[]>>();
  let customData: Record<string, Doc[]> | undefined;
  const rawSplit = async (split: string): Promise<Doc[]> => {
    if (isFn(c.custom_dataset)) {
      // lm-eval: custom_dataset(**metadata, **dataset_kwargs) (api/task.py ConfigurableTask.download)
      const kwargs = { ...(cfg.metadata ?? {}), ...(cfg.dataset_kwargs ?? {}) };
      customData ??= (isPythonCallable(c.custom_dataset) ? await callPython(c.custom_dataset, [], kwargs) : await c.custom_dataset(kwargs)) as Record<string, Doc[]>;
      const rows = customData[split];
      if (!rows) throw new LmEvalError(`task '${name}': custom_dataset has no split '${split}' (splits: ${Object.keys(customData).join(', ')})`);
      return rows;
    }
    assertLoaderDatasetKwargs(cfg.dataset_kwargs, `task '${name}'`);
    const data = await loadDatasetSplits(
      { datasetPath: cfg.dataset_path ?? undefined, datasetName: cfg.dataset_name, datasetKwargs: cfg.dataset_kwargs },
      { splits: [split], yamlDir, cwd: options.cwd, env: options.env, onProgress: options.onProgress },
    );
    return data[split];
  };
  const split = (s: string, processDocs: unknown): Promise<Doc[]> => {
    const key = `${s}\u0000${isFn(processDocs) ? processDocs.name : ''}`;
    let p = splitCache.get(key);
    if (!p) {
      p = rawSplit(s).then(async (rows) => {
        if (isPythonCallable(processDocs)) return checkedDocs(await callPython(processDocs, [new DatasetRows(rows)]), name, processDocs as Fn, s);
        return isFn(processDocs) ? checkedDocs(await processDocs(rows), name, processDocs, s) : rows;
      });
      splitCache.set(key, p);
    }
    return p;
  };
  const evalSplit = evalSplitOf(cfg, name);
  const evalDocs = await split(evalSplit, c.process_docs);
  if (evalDocs.length === 0) throw new LmEvalError(`task '${name}': the evaluation split '${evalSplit}' is empty`);

  // --- doc_to_* accessors
  const formatter = new DocFormatter({ config: cfg, features: Object.keys(evalDocs[0]), profile, task: name });
  const ft = (cfg.fewshot_config ?? {}) as Record<string, unknown>;
  const over = (k: string): unknown => (ft[k] !== null && ft[k] !== undefined ? ft[k] : undefined);
  const hasChoice = () => cfg.doc_to_choice !== null && cfg.doc_to_choice !== undefined;
  const taskAcc: DocAccessors = {
    docToText: (doc) => formatter.docToText(doc),
    docToTarget: (doc) => formatter.docToTarget(doc),
    docToChoice: (doc) => (hasChoice() ? (formatter.docToChoice(doc) as unknown[]) : undefined),
    genPrefix: (doc) => (profile === 'latest' ? formatter.genPrefix(doc) : undefined),
  };
  // latest: the FewshotConfig dataclass always carries the values (copied from the task); they
  // are static, so read through the formatter with an explicit spec.
  const fewshotAcc: DocAccessors = {
    docToText: (doc) => (over('doc_to_text') !== undefined && !(profile === 'latest' && ft.doc_to_text === cfg.doc_to_text) ? formatter.docToText(doc, ft.doc_to_text) : formatter.docToText(doc)),
    docToTarget: (doc) => (over('doc_to_target') !== undefined ? formatter.docToTarget(doc, ft.doc_to_target) : formatter.docToTarget(doc)),
    docToChoice: (doc) =>
      over('doc_to_choice') !== undefined ? (formatter.docToChoice(doc, ft.doc_to_choice) as unknown[]) : hasChoice() ? (formatter.docToChoice(doc) as unknown[]) : undefined,
    genPrefix: (doc) => (profile === 'latest' ? formatter.genPrefix(doc, over('gen_prefix') ?? cfg.gen_prefix) : undefined),
  };
  // Python helpers: answer every doc_to_* call of the eval docs in one batch per function (the
  // prompt builder then reads the results synchronously).
  if (pythonHelpers) await prefetchDocTo(taskAcc, evalDocs);
  const shape = formatter.detectShape(evalDocs[0]);
  const view: TaskView = {
    name,
    profile,
    config: c,
    outputType: cfg.output_type,
    task: taskAcc,
    fewshot: fewshotAcc,
    description: (doc) => formatter.description(doc),
    targetDelimiter: cfg.target_delimiter,
    fewshotDelimiter: cfg.fewshot_delimiter,
    fewshotTargetDelimiter: profile === 'latest' ? ((over('target_delimiter') as string) ?? cfg.target_delimiter) : cfg.target_delimiter,
    fewshotFewshotDelimiter: profile === 'latest' ? ((over('fewshot_delimiter') as string) ?? cfg.fewshot_delimiter) : cfg.fewshot_delimiter,
    multipleInput: shape.multipleInput > 0,
    multipleTarget: shape.multipleTarget > 0,
    renderDocToText: (spec, doc) => formatter.docToText(doc, spec),
  };

  // --- few-shot pool (lm_eval/api/task.py `ConfigurableTask.fewshot_docs`)
  const numFewshot = cfg.num_fewshot ?? 0;
  const fewshotSplit = profile === 'latest' ? ((ft.split as string | null) ?? cfg.fewshot_split ?? null) : cfg.fewshot_split ?? null;
  let pool: Doc[] = [];
  let poolName = '';
  if (numFewshot > 0) {
    if (fewshotSplit) {
      const pd = profile === 'latest' ? (ft.process_docs ?? c.process_docs) : c.process_docs;
      pool = await split(fewshotSplit, pd);
      poolName = `split '${fewshotSplit}'`;
      if (fewshotSplit === cfg.test_split) {
        options.warn?.(`task '${name}': the few-shot split is the test split '${fewshotSplit}'; each evaluated document is left out of its own examples`);
      }
    } else if (ft.samples !== null && ft.samples !== undefined) {
      pool = (isPythonCallable(ft.samples) ? await callPython(ft.samples, []) : isFn(ft.samples) ? await ft.samples() : ft.samples) as Doc[];
      poolName = 'fewshot_config.samples';
    } else if (cfg.training_split) {
      pool = await split(cfg.training_split, c.process_docs);
      poolName = `split '${cfg.training_split}'`;
    } else if (cfg.validation_split) {
      pool = await split(cfg.validation_split, c.process_docs);
      poolName = `split '${cfg.validation_split}'`;
    } else {
      // lm-eval's Task.fewshot_docs warns the same way ("using test_docs as fewshot_docs but this is not recommended")
      options.warn?.(`task '${name}': no few-shot split; drawing few-shot examples from the test split '${evalSplit}' (not recommended: scores can be optimistic)`);
      pool = evalDocs;
      poolName = `split '${evalSplit}' (the test split, used because the task has no few-shot split)`;
    }
  }
  const samplerSpec = ft.sampler ?? 'default';
  const excludeEvalDoc = (fewshotSplit ?? null) === (cfg.test_split ?? null);
  const pySampler = isPythonCallable(samplerSpec) ? await pythonSampler(samplerSpec, { task: name, profile, pool, excludeEvalDoc }) : undefined;
  // ... and those of the few-shot pool
  if (pythonHelpers && numFewshot > 0) await prefetchDocTo(fewshotAcc, pool);
  const samplerClass: SamplerClass = isFn(samplerSpec)
    ? (samplerSpec as unknown as SamplerClass)
    : getSampler(String(samplerSpec), `task '${name}': fewshot_config.sampler`);
  const samplerName = isFn(samplerSpec) ? samplerSpec.name : String(samplerSpec);
  if (numFewshot > 0 && samplerName === 'default') {
    // the default sampler draws with random.sample, which refuses more than the pool holds
    const needed = numFewshot + (excludeEvalDoc ? 1 : 0);
    if (pool.length < needed) {
      throw new LmEvalError(
        `task '${name}': ${numFewshot} few-shot examples need ${needed} documents${excludeEvalDoc ? ' (one extra is drawn to leave out the evaluated document)' : ''}, but the few-shot pool, ${poolName}, has ${pool.length}`,
        'lower --num_fewshot (or num_fewshot in the YAML), or set fewshot_split to a larger split',
      );
    }
  }

  const processResults = (doc: Doc, results: unknown[]): Record<string, unknown> => {
    if (customPR) return customPR(doc, results) as Record<string, unknown>;
    const target = cfg.output_type === 'multiple_choice' && view.multipleInput ? taskAcc.docToText(doc) : taskAcc.docToTarget(doc);
    return builtinProcessResults(
      {
        task: name,
        outputType: cfg.output_type,
        metrics,
        profile,
        target,
        choices: hasChoice() ? (taskAcc.docToChoice(doc) ?? null) : null,
        multipleTarget: view.multipleTarget,
        onWarning: options.warn,
        onExpand,
      },
      results,
    );
  };

  let contextBased: ContextBasedHooks | undefined;
  if (c.context_based === true) {
    if (!isFn(c.request_updater) || !isFn(c.storage_updater)) {
      throw new LmEvalError(`task '${name}': context_based tasks need request_updater and storage_updater (!function)`);
    }
    const ru = c.request_updater as Fn;
    const su = c.storage_updater as Fn;
    contextBased = {
      requestUpdater: (inst: Instance, storage) => ru(inst, storage),
      storageUpdater: (storage, inst: Instance, response) => su(storage, inst, response),
    };
  }

  const metadata = (cfg.metadata ?? {}) as Record<string, unknown>;
  let nShot: unknown = numFewshot;
  if (profile === '0.4.4' && numFewshot === 0 && metadata.num_fewshot !== undefined) nShot = metadata.num_fewshot;

  return {
    name,
    profile,
    view,
    configDump,
    version: metadata.version ?? 'Yaml',
    numFewshot,
    nShot,
    evalDocs,
    fewshotPool: () => pool,
    makeSampler: (rnd) => (pySampler ? pySampler(rnd) : new samplerClass({ docs: pool, task: view, rnd })),
    samplerName,
    excludeEvalDoc,
    generationKwargs: cfg.generation_kwargs ?? null,
    repeats: cfg.repeats ?? 1,
    mutualInfo: metrics.some((m) => m.name === 'acc_mutual_info'),
    filters,
    processResults,
    aggregationFor: (metric) => {
      if (answerKeys.has(metric)) {
        const mean = resolveAggregation('mean', profile);
        return { name: mean.name, fn: mean.aggregate as (items: unknown[]) => unknown };
      }
      const { aggregation, warning } = aggregationForKey(metrics, expandedFrom.get(metric) ?? metric, profile, name);
      if (warning && !warnedKeys.has(metric)) {
        warnedKeys.add(metric);
        options.warn?.(warning);
      }
      return { name: aggregation.builtin ? aggregation.name : null, fn: aggregation.aggregate as (items: unknown[]) => unknown };
    },
    higherIsBetter,
    contextBased,
    answerMetrics,
    answerFields: (doc) => ({
      query: typeof doc.query === 'string' ? doc.query : taskAcc.docToText(doc),
      output_true: 'output_true' in doc ? doc.output_true : taskAcc.docToTarget(doc),
      context: doc.context ?? null,
    }),
    repeatSeed: typeof repeatSeed === 'number' ? repeatSeed : undefined,
  };
}

/** Separates the answer-metric entries of a metric_list from the others (null stays null: the defaults). */
function splitAnswerMetrics(
  task: string,
  outputType: string,
  list: MetricSpec[] | null,
): { answerMetrics: ResolvedAnswerMetric[]; otherEntries: MetricSpec[] | null } {
  if (!list) return { answerMetrics: [], otherEntries: null };
  const answerMetrics: ResolvedAnswerMetric[] = [];
  const otherEntries: MetricSpec[] = [];
  list.forEach((entry, i) => {
    if (!isPlainObject(entry) || !isAnswerMetricEntry(entry)) {
      otherEntries.push(entry);
      return;
    }
    const where = `task '${task}': metric_list[${i}]`;
    if (outputType !== 'generate_until') {
      throw new LmEvalError(`${where}: '${String(entry.metric)}' scores generated answers; the task's output_type is ${outputType}`, 'use answer metrics with output_type: generate_until');
    }
    answerMetrics.push(resolveAnswerMetric(entry, where));
  });
  return { answerMetrics, otherEntries };
}
