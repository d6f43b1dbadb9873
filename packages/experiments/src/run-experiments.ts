/**
 * Runs a plan: every experiment at once under one endpoint scheduler (in-process models one
 * experiment at a time per model), each writing standard lm-eval output into `DIR/<id>/`. All
 * experiments share one response cache (`DIR/.cache/responses_rank0.db`, keyed by model identity
 * and request), so a rerun skips finished experiments (marker `DIR/<id>/experiment.json` with the
 * experiment's fingerprint) and resumes unfinished ones without re-sending answered requests.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { LmEvalError, type EnvironmentFacts, type LM, type ModelArgs } from '@lm-eval/core';
import { runEvaluation, type EvaluationRequest, type LogLevel, type ShardSpec } from '@lm-eval/core/engine';
import { createApiModel, type ApiBackendName } from '@lm-eval/openai';
import { API_BACKENDS } from './native-format.ts';
import { EndpointPoolLM, EndpointScheduler } from './endpoint-pool.ts';
import { samples as isSampling, type Experiment, type ExperimentPlan, type TaskSpec } from './plan.ts';

export type ExperimentEvent =
  | { type: 'start'; id: string }
  | { type: 'skip'; id: string }
  | { type: 'progress'; id: string; done: number; total: number; label: string }
  | { type: 'done'; id: string; seconds: number }
  | { type: 'fail'; id: string; error: unknown };

export interface RunExperimentsOptions {
  outputPath: string;
  /** environment facts recorded in every results file (see core's EnvironmentFacts) */
  environment?: EnvironmentFacts;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  shard?: ShardSpec | null;
  /** experiments running at once (default 8) */
  maxParallel?: number;
  bootstrapIters?: number;
  signal?: AbortSignal;
  log?: (level: LogLevel, message: string) => void;
  onEvent?: (e: ExperimentEvent) => void;
  /** the scheduler (tests pass one with short rests) */
  scheduler?: EndpointScheduler;
  /** backend options for API models (tests: fast backoff) */
  apiBackendOptions?: { backoff?: { multiplierMs: number; minMs: number; maxMs: number; maxRetryAfterMs: number } };
}

export interface ExperimentOutcome {
  id: string;
  status: 'done' | 'skipped' | 'failed';
  error?: unknown;
  files: string[];
}

export const MARKER = 'experiment.json';
export const MANIFEST = 'experiments.json';

/** What the experiment is, without secrets: its marker, and the manifest entry. */
export function describeExperiment(e: Experiment, shard: ShardSpec | null | undefined): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    repeat: e.repeat,
    repeats: e.repeats,
    seeds: e.seeds,
    varied: e.varied,
    model: {
      name: e.model.name,
      backend: e.model.backend,
      model_args: e.model.modelArgs,
      gen_kwargs: e.model.genKwargs,
      system_instruction: e.model.systemInstruction,
      apply_chat_template: e.model.applyChatTemplate,
      endpoints: e.model.endpoints.map((x) => x.baseUrl),
    },
    tasks: e.tasks,
    settings: e.settings,
    shard: shard && shard.count > 1 ? `${shard.index}/${shard.count}` : null,
  };
}

/** What decides whether a finished experiment can be reused: model (not endpoints), tasks, settings, seeds, shard. */
export function experimentFingerprint(desc: Record<string, unknown>): string {
  const { model, tasks, settings, seeds, shard } = desc as Record<string, unknown> & { model: Record<string, unknown> };
  const { endpoints: _e, ...modelRest } = model;
  return createHash('sha256').update(JSON.stringify({ model: modelRest, tasks, settings, seeds, shard })).digest('hex');
}

/** Tasks that can share one evaluation (same per-task settings). */
function taskGroups(tasks: TaskSpec[]): TaskSpec[][] {
  const groups = new Map<string, TaskSpec[]>();
  for (const t of tasks) {
    const key = JSON.stringify([t.numFewshot ?? null, t.limit ?? null, t.fewshotAsMultiturn ?? null]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(t);
  }
  return [...groups.values()];
}

function kvText(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)}`)
    .join(',');
}

function withoutSecrets(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (!/(api_?key|token|secret|password|header)/i.test(k)) out[k] = v;
  return out;
}

/** Runs one model: the factory builds one backend per endpoint behind the shared scheduler. */
function poolFactory(e: Experiment, scheduler: EndpointScheduler, options: RunExperimentsOptions, sampling: boolean, log: (m: string) => void): EvaluationRequest['modelFactory'] {
  const spec = e.model;
  const env = options.env ?? process.env;
  return async (args, factoryOptions) => {
    const endpoints = [];
    let identity: Record<string, unknown> | null = null;
    for (const ep of spec.endpoints) {
      const key = ep.apiKey ?? (ep.apiKeyEnv ? env[ep.apiKeyEnv] : undefined);
      const limit = ep.numConcurrent ?? spec.numConcurrent;
      const lmArgs: ModelArgs = { ...args, base_url: ep.baseUrl, num_concurrent: limit };
      // with several endpoints the pool moves a failing request to another one instead of waiting
      if (spec.endpoints.length > 1 && args.max_retries === undefined) lmArgs.max_retries = 1;
      const lmEnv = { ...env };
      if (key !== undefined) lmEnv.OPENAI_API_KEY = key;
      const lm: LM = await createApiModel(spec.backend as ApiBackendName, lmArgs, factoryOptions, { env: lmEnv, ...(options.apiBackendOptions ?? {}) });
      if (!identity) {
        const { base_url: _b, ...rest } = (lm.cacheIdentity?.() ?? {}) as Record<string, unknown>;
        identity = { ...rest, model_name: spec.name, ...(sampling ? { sample_seed: e.seeds.torch } : {}) };
      }
      endpoints.push({ slot: scheduler.slot(ep.baseUrl, limit), lm });
    }
    return new EndpointPoolLM(endpoints, scheduler, { requestDelay: spec.requestDelay, identity: identity ?? {}, log });
  };
}

/** The evaluations of one experiment (one per group of tasks with the same settings). */
export function experimentRequests(e: Experiment, plan: ExperimentPlan, options: RunExperimentsOptions, scheduler: EndpointScheduler): EvaluationRequest[] {
  const spec = e.model;
  const s = e.settings;
  const genKwargs = { ...spec.genKwargs, ...(s.genKwargs ?? {}) };
  const sampling = isSampling(genKwargs);
  const api = API_BACKENDS.includes(spec.backend);
  const modelArgs: ModelArgs = { ...spec.modelArgs };
  if (api) modelArgs.base_url = spec.endpoints[0].baseUrl;
  // sampling: each repeat draws with its own seed (hf's sampler seed; the API request's `seed`)
  if (sampling && modelArgs.seed === undefined && e.repeats > 1) modelArgs.seed = e.seeds.torch;
  const folder = path.join(options.outputPath, e.id);
  const log = options.log ?? (() => {});
  return taskGroups(e.tasks).map((group) => ({
    model: spec.backend,
    modelArgs,
    modelArgsRaw: kvText(withoutSecrets(modelArgs)),
    tasks: group.map((t) => t.name),
    includePath: plan.includePath,
    numFewshot: group[0].numFewshot ?? s.numFewshot,
    limit: group[0].limit ?? s.limit ?? null,
    batchSize: spec.batchSize ?? 1,
    useCache: path.join(options.outputPath, '.cache', 'responses'),
    logSamples: true,
    systemInstruction: s.systemInstruction !== undefined ? s.systemInstruction : spec.systemInstruction,
    applyChatTemplate: s.applyChatTemplate ?? spec.applyChatTemplate,
    fewshotAsMultiturn: group[0].fewshotAsMultiturn ?? s.fewshotAsMultiturn,
    genKwargs: Object.keys(genKwargs).length ? genKwargs : null,
    genKwargsRaw: Object.keys(genKwargs).length ? kvText(genKwargs) : null,
    seeds: e.seeds,
    bootstrapIters: options.bootstrapIters ?? 100000,
    outputPath: folder,
    cwd: options.cwd,
    env: options.env,
    shard: options.shard && options.shard.count > 1 ? { ...options.shard, key: e.id } : null,
    modelFactory: api ? poolFactory(e, scheduler, options, sampling, (m) => log('WARNING', `${e.id}: ${m}`)) : undefined,
    signal: options.signal,
    log: (level, m) => log(level, `${e.id}: ${m}`),
  }));
}

/** Removes lm-eval output files of an earlier, unfinished or different run of the experiment. */
function clearOutputs(folder: string): void {
  if (!existsSync(folder)) return;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const p = path.join(folder, entry.name);
    if (entry.isDirectory()) clearOutputs(p);
    else if (/^(results_|samples_).*\.(json|jsonl|partial)$/.test(entry.name) || entry.name === MARKER) rmSync(p);
  }
}

/** A tiny async semaphore. */
class Gate {
  private active = 0;
  private queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

export function writeManifest(plan: ExperimentPlan, options: Pick<RunExperimentsOptions, 'outputPath' | 'shard'>): void {
  mkdirSync(options.outputPath, { recursive: true });
  const manifest = {
    name: plan.name,
    source: plan.source,
    main_metric: plan.mainMetric,
    shard: options.shard && options.shard.count > 1 ? `${options.shard.index}/${options.shard.count}` : null,
    experiments: plan.experiments.map((e) => describeExperiment(e, options.shard)),
  };
  writeFileSync(path.join(options.outputPath, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}

export async function runExperiments(plan: ExperimentPlan, options: RunExperimentsOptions): Promise<ExperimentOutcome[]> {
  const scheduler = options.scheduler ?? new EndpointScheduler();
  writeManifest(plan, options);
  const all = new Gate(options.maxParallel ?? 8);
  // in-process models evaluate one experiment at a time each (they share the CPU/GPU anyway)
  const lanes = new Map<string, Gate>();
  const laneOf = (e: Experiment): Gate | null => {
    if (API_BACKENDS.includes(e.model.backend)) return null;
    if (!lanes.has(e.model.name)) lanes.set(e.model.name, new Gate(1));
    return lanes.get(e.model.name)!;
  };
  const emit = options.onEvent ?? (() => {});

  const runOne = async (e: Experiment): Promise<ExperimentOutcome> => {
    const folder = path.join(options.outputPath, e.id);
    const desc = describeExperiment(e, options.shard);
    const fp = experimentFingerprint(desc);
    const markerFile = path.join(folder, MARKER);
    if (existsSync(markerFile)) {
      try {
        const m = JSON.parse(readFileSync(markerFile, 'utf8')) as { fingerprint?: string; files?: string[] };
        if (m.fingerprint === fp) {
          emit({ type: 'skip', id: e.id });
          return { id: e.id, status: 'skipped', files: m.files ?? [] };
        }
      } catch {
        // unreadable marker: run again
      }
    }
    if (options.signal?.aborted) return { id: e.id, status: 'failed', error: new LmEvalError('interrupted'), files: [] };
    clearOutputs(folder);
    mkdirSync(folder, { recursive: true });
    emit({ type: 'start', id: e.id });
    const started = Date.now();
    const files: string[] = [];
    try {
      for (const request of experimentRequests(e, plan, options, scheduler)) {
        request.environment = options.environment;
        request.onProgress = (p) => emit({ type: 'progress', id: e.id, done: p.done, total: p.total, label: p.requestType });
        const out = await runEvaluation(request);
        files.push(...out.files.map((f) => path.relative(folder, f)));
      }
      writeFileSync(markerFile, JSON.stringify({ ...desc, fingerprint: fp, files, seconds: (Date.now() - started) / 1000 }, null, 2) + '\n');
      emit({ type: 'done', id: e.id, seconds: (Date.now() - started) / 1000 });
      return { id: e.id, status: 'done', files };
    } catch (error) {
      emit({ type: 'fail', id: e.id, error });
      return { id: e.id, status: 'failed', error, files };
    }
  };

  return Promise.all(
    plan.experiments.map((e) => {
      const lane = laneOf(e);
      return all.run(() => (lane ? lane.run(() => runOne(e)) : runOne(e)));
    }),
  );
}
