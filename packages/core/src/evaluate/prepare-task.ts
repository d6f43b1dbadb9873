/**
 * Turns a loaded task (config + raw YAML) into an {@link EvalTask} (lm-eval's
 * `ConfigurableTask.__init__`): the run's overrides applied to a copy of the config, the config
 * dump results `configs` shows (before any request is built), scoring, docs, doc_to_* accessors,
 * the few-shot pool and sampler. The loaded config is never changed.
 */
import path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError, LmEvalErrors } from '../errors.ts';
import { isPythonCallable, prestartPython, withTaskName } from '../pyfn/index.ts';
import { isPlainObject } from '../python/values.ts';
import type { Instance } from '../request/instance.ts';
import type { TaskConfig } from '../task/config.ts';
import { DocFormatter } from '../task/doc-to.ts';
import type { ResolvedTask } from '../task/group.ts';
import { fewshotAccessors, hasChoices, prefetchDocTo, taskAccessors, taskView } from './doc-accessors.ts';
import type { EvalTask } from './eval-task.ts';
import { checkPoolSize, fewshotPool, fewshotSampler, fewshotSplitOf } from './fewshot-setup.ts';
import { preparePythonClassTask } from './python-class-task.ts';
import type { ContextBasedHooks } from './run-requests.ts';
import { dumpTaskConfig } from './task-config-dump.ts';
import { docSource, loadEvalDocs } from './task-docs.ts';
import { checkRunnable, rawForDump, withRunOverrides } from './task-overrides.ts';
import { processResultsOf, taskScoring } from './task-scoring.ts';

export { dumpTaskConfig } from './task-config-dump.ts';

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
    return await buildEvalTask(resolved, options);
  } catch (e) {
    throw withTaskName(e, resolved.name);
  }
}

async function buildEvalTask(resolved: ResolvedTask, options: PrepareOptions): Promise<EvalTask> {
  const { name, profile } = resolved;
  const warn = options.warn ?? (() => {});
  checkRunnable(resolved.config, name, options.confirmRunUnsafeCode);
  const config = withRunOverrides(resolved.config, name, options, profile, warn);
  const configDump = dumpTaskConfig(config, rawForDump(resolved.raw, options), profile);
  const scoring = taskScoring(config, name, profile, options);
  const repeatSeed = repeatSeedOf(config, name);
  // Python helpers: the worker starts while the data loads
  const pythonHelper = firstPythonHelper(config);
  if (pythonHelper) prestartPython(pythonHelper);

  const docs = docSource(config, name, { yamlDir: resolved.yamlPath ? path.dirname(resolved.yamlPath) : options.cwd ?? process.cwd(), cwd: options.cwd, env: options.env, onProgress: options.onProgress });
  const evalSet = await loadEvalDocs(docs, config, name);
  const formatter = new DocFormatter({ config, features: Object.keys(evalSet.docs[0]), profile, task: name });
  const task = taskAccessors(formatter, config, profile);
  const fewshot = fewshotAccessors(formatter, config, profile);
  // Python helpers: every doc_to_* call of the eval docs is answered in one batch per function
  if (pythonHelper) await prefetchDocTo(task, evalSet.docs);
  const view = taskView({ name, profile, config, formatter, task, fewshot, firstDoc: evalSet.docs[0] });

  const numFewshot = config.num_fewshot ?? 0;
  const pool = await fewshotPool(config, numFewshot, { name, profile, docs, evalSplit: evalSet.split, evalDocs: evalSet.docs, warn });
  const excludeEvalDoc = fewshotSplitOf(config, profile) === (config.test_split ?? null);
  const sampler = await fewshotSampler(config, { name, profile, pool, excludeEvalDoc });
  if (pythonHelper && numFewshot > 0) await prefetchDocTo(fewshot, pool.docs);
  const { samplerName } = sampler;
  checkPoolSize(pool, numFewshot, samplerName, excludeEvalDoc, name);

  const processResults = processResultsOf(scoring, { name, profile, outputType: config.output_type, accessors: task, hasChoice: hasChoices(config), multipleInput: view.multipleInput, multipleTarget: view.multipleTarget, warn: options.warn });
  const contextBased = contextBasedHooks(config, name);
  const metadata = (config.metadata ?? {}) as Record<string, unknown>;
  return {
    name,
    profile,
    view,
    configDump,
    version: metadata.version ?? 'Yaml',
    numFewshot,
    nShot: nShotOf(numFewshot, metadata, profile),
    evalDocs: evalSet.docs,
    fewshotPool: () => pool.docs,
    makeSampler: (rnd) => sampler.make(rnd, view),
    samplerName,
    excludeEvalDoc,
    generationKwargs: config.generation_kwargs ?? null,
    repeats: config.repeats ?? 1,
    mutualInfo: scoring.metrics.some((m) => m.name === 'acc_mutual_info'),
    filters: scoring.filters,
    processResults,
    aggregationFor: scoring.aggregationFor,
    higherIsBetter: scoring.higherIsBetter,
    contextBased,
    answerMetrics: scoring.answerMetrics,
    answerFields: (doc) => ({
      query: typeof doc.query === 'string' ? doc.query : task.docToText(doc),
      output_true: 'output_true' in doc ? doc.output_true : task.docToTarget(doc),
      context: doc.context ?? null,
    }),
    repeatSeed,
  };
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

/** metadata.repeat_seed: generate_until repeat r is sent with `seed: repeat_seed + r`. */
function repeatSeedOf(config: Readonly<TaskConfig>, name: string): number | undefined {
  const seed = (config.metadata as Record<string, unknown> | null | undefined)?.repeat_seed;
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed;
  throw new LmEvalError(`task '${name}': metadata.repeat_seed must be an integer, got ${JSON.stringify(seed)}`);
}

/** MERA's context-based execution (v0.4.4 fork): requests rewritten one at a time by the task's updaters. */
function contextBasedHooks(config: Readonly<TaskConfig>, name: string): ContextBasedHooks | undefined {
  if (config.context_based !== true) return undefined;
  const ru = config.request_updater as unknown;
  const su = config.storage_updater as unknown;
  if (typeof ru !== 'function' || typeof su !== 'function') {
    throw new LmEvalError(`task '${name}': context_based tasks need request_updater and storage_updater (!function)`);
  }
  return {
    requestUpdater: (inst: Instance, storage) => ru(inst, storage) as Instance | void,
    storageUpdater: (storage, inst: Instance, response) => su(storage, inst, response) as Record<string, unknown> | void,
  };
}

/** n-shot shown in results: [v0.4.4] a zero-shot task's metadata.num_fewshot when set. */
function nShotOf(numFewshot: number, metadata: Readonly<Record<string, unknown>>, profile: Profile): unknown {
  return profile === '0.4.4' && numFewshot === 0 && metadata.num_fewshot !== undefined ? metadata.num_fewshot : numFewshot;
}
