/**
 * The library entry point (lm-eval's `simple_evaluate` + the CLI's output tracker): select and
 * load tasks, build the model, evaluate, aggregate groups, assemble results, write the files.
 */
import { redactModelArgs } from './redact-model-args.ts';
import { closePythonHelpers, configurePythonHelpers, resolvePending } from '../pyfn/session.ts';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError, LmEvalErrors } from '../errors.ts';
import type { LM, ModelArgs, ModelFactory } from '../model/types.ts';
import type { ShardSpec } from './shard.ts';
import { getModelFactory } from '../model/registry.ts';
import { TaskIndex } from '../task/index.ts';
import { loadTasks, type LoadedTasks } from '../task/group.ts';
import { prepareTask } from './prepare-task.ts';
import { evaluateTasks, type TaskOutcome } from './evaluator.ts';
import { assembleResults, type GroupOutcome } from './results.ts';
import type { RunProgress } from './run-requests.ts';
import { aggregateGroup, groupEntry, groupNShot, groupVersion, mergeHigherIsBetter, type LeafResult } from './group-aggregate.ts';
import { checkOutputPath, writeFallbackFile, dateId, modelNameOf, outputLocation, sanitizeModelName, SamplesWriter, serializeResults, writeResultsFile } from '../report/output-files.ts';
import { makeTable } from '../report/table.ts';
import { pyFloat, pyRepr, pyStr } from '../python/values.ts';
import { CachingLM } from '../cache/response-cache.ts';
import { deleteRequestCache, requestCacheKey, taskConfigHash } from '../cache/request-cache.ts';
import { JudgeModels, publicJudgeArgs, type JudgeModelSpec } from './answers/judge-models.ts';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/**
 * Facts about the running environment that the results record. The library reads none of them
 * from another package's files; the caller (the CLI) supplies them.
 */
export interface EnvironmentFacts {
  /** `transformers_version` (default `N/A`); the CLI passes the installed transformers.js version. */
  transformersVersion?: string;
  /** `lm_eval_version` (default: this package's version). */
  lmEvalVersion?: string;
  /** `git_hash` / `upper_git_hash` (default: `git describe --always` in cwd and its parent). */
  gitHash?: string | null;
  upperGitHash?: string | null;
  /**
   * `config.device` recorded (latest profile) when neither the request nor the model names a
   * device (default null; the CLI passes lm-eval's `--device` default `cuda:0`).
   */
  defaultDevice?: string | null;
}

export interface EvaluationRequest {
  /** backend name (registered with registerModel) or an LM object */
  model: string | LM;
  /** environment facts recorded in the results (see {@link EnvironmentFacts}) */
  environment?: EnvironmentFacts;
  /** Python interpreter for `!function` helpers in .py files (default: env LM_EVAL_PYTHON, else python3) */
  python?: string;
  modelArgs?: ModelArgs;
  /** the --model_args text as typed (v0.4.4 records it as a string) */
  modelArgsRaw?: string;
  tasks: string[];
  includePath?: string[];
  /** behaviour profile; default: 0.4.4 when every selected task comes from a 0.4.4-pinned folder, else latest */
  profile?: Profile;
  numFewshot?: number;
  batchSize?: string | number;
  maxBatchSize?: number;
  device?: string;
  useCache?: string | null;
  cacheRequests?: 'true' | 'refresh' | 'delete';
  limit?: number | null;
  samples?: Record<string, number[]> | null;
  bootstrapIters?: number;
  writeOut?: boolean;
  logSamples?: boolean;
  systemInstruction?: string | null;
  applyChatTemplate?: boolean | string;
  fewshotAsMultiturn?: boolean;
  genKwargs?: Record<string, unknown> | null;
  genKwargsRaw?: string | null;
  predictOnly?: boolean;
  seeds?: { random: number | null; numpy: number | null; torch: number | null; fewshot: number | null };
  confirmRunUnsafeCode?: boolean;
  metadata?: Record<string, unknown>;
  outputPath?: string | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log?: (level: LogLevel, message: string) => void;
  onPhase?: (phase: string) => void;
  onProgress?: (p: RunProgress) => void;
  signal?: AbortSignal;
  /** `--strict`: the backend's warnings about doubtful settings become errors */
  strict?: boolean;
  /** leave out tasks the backend's preflight cannot serve (default: refuse the run, listing them) */
  skipUnsupportedTasks?: boolean;
  /** builds the model instead of the factory registered under `model` (which still names it in results) */
  modelFactory?: ModelFactory;
  /** `--shard i/n`: only this shard's documents are sent to the model and scored */
  shard?: ShardSpec | null;
  /**
   * false: the output's `samples` hold only each record's hash fields (the records are still
   * written to the samples files); memory then does not grow with the records. Default true.
   */
  keepSamples?: boolean;
  /** wraps the model (the response cache uses this) */
  wrapModel?: (lm: LM, request: EvaluationRequest) => Promise<LM> | LM;
  /** `--judge_model`: the judge of judge metrics that name none (docs/judges.md) */
  judgeModel?: JudgeModelSpec | null;
  /** loads a backend package on first use (judge models may use another backend than the model) */
  loadBackend?: (name: string) => Promise<void>;
}

export interface EvaluationOutput {
  results: Record<string, unknown>;
  /** per task, the sample records (only with logSamples) */
  samples: Record<string, Array<Record<string, unknown>>>;
  /** results JSON text (as written) */
  resultsJson: string;
  /** header line + table(s), as lm-eval prints them */
  summary: string;
  /** files written */
  files: string[];
  profile: Profile;
  /** set when the files could not be written under outputPath: why, and where they went instead */
  unsaved?: { reason: string; fallbackFile: string | null };
}

function gitDescribe(cwd: string): string | null {
  try {
    return execFileSync('git', ['describe', '--always'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    const head = path.join(cwd, '.git', 'HEAD');
    if (!existsSync(head)) return null;
    const text = readFileSync(head, 'utf8').trim();
    if (text.startsWith('ref: ')) {
      const ref = path.join(cwd, '.git', text.slice(5));
      return existsSync(ref) ? readFileSync(ref, 'utf8').trim() : null;
    }
    return text || null;
  }
}

const PACKAGE_VERSION = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
})();

/** Depth-first order of groups for the latest table, with indented aliases. */
function tableOrder(results: Record<string, any>, loaded: LoadedTasks, outcomes: TaskOutcome[]): { order: string[]; aliases: Record<string, string> } {
  const order: string[] = [];
  const aliases: Record<string, string> = {};
  const seen = new Set<string>();
  const visit = (name: string, depth: number) => {
    if (seen.has(name)) return;
    seen.add(name);
    const entry = results.results?.[name];
    const alias = entry?.alias ?? name;
    aliases[name] = depth > 0 ? ' '.repeat(depth) + '- ' + alias : alias;
    order.push(name);
    const g = loaded.groups.get(name);
    if (g) for (const c of [...g.children].sort()) visit(c, depth + 1);
  };
  const roots = [...loaded.groups.values()].filter((g) => !g.parent).map((g) => g.name).sort();
  for (const r of roots) visit(r, 0);
  for (const o of [...outcomes].map((o) => o.task.name).sort()) visit(o, 0);
  return { order, aliases };
}

export async function runEvaluation(request: EvaluationRequest): Promise<EvaluationOutput> {
  // One Python helper worker serves the run (started on first use) and ends with it.
  configurePythonHelpers({
    python: request.python ?? request.env?.LM_EVAL_PYTHON ?? undefined,
    // the CLI's default --seed 0,1234,1234,1234 when none is given
    seeds: request.seeds ? { random: request.seeds.random, numpy: request.seeds.numpy } : { random: 0, numpy: 1234 },
  });
  try {
    return await runEvaluationInner(request);
  } finally {
    await closePythonHelpers();
  }
}

async function runEvaluationInner(request: EvaluationRequest): Promise<EvaluationOutput> {
  const cwd = request.cwd ?? process.cwd();
  const env = request.env ?? process.env;
  const log = request.log ?? (() => {});
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (warned.has(m)) return;
    warned.add(m);
    log('WARNING', m);
  };
  const started = Date.now();
  const startPerf = performance.now() / 1000;

  // 1. Tasks
  request.onPhase?.('indexing tasks');
  const index = TaskIndex.build({ profile: request.profile ?? 'latest', includePaths: request.includePath ?? [], cwd });
  for (const c of index.collisions) log(c.level, c.message);
  const names = index.matchTasks(request.tasks);
  const modelArgs: ModelArgs = { ...(request.modelArgs ?? {}) };
  request.onPhase?.('loading task configs');
  const loaded = await loadTasks(names, index, { metadata: { ...modelArgs, ...(request.metadata ?? {}) }, warn });
  const taskList = [...loaded.tasks.values()];
  if (taskList.length === 0) throw new LmEvalError(`no tasks selected by --tasks ${request.tasks.join(',')}`);
  const unknownSamples = Object.keys(request.samples ?? {}).filter((n) => !loaded.tasks.has(n));
  if (unknownSamples.length) {
    // lm-eval looks samples up by task name, so a misspelled key silently runs the whole task
    throw new LmEvalError(
      `--samples names ${unknownSamples.map((n) => `'${n}'`).join(', ')}, not among the tasks being run (${[...loaded.tasks.keys()].join(', ')})`,
      'use the task names exactly as --tasks selects them (group members by their own names)',
    );
  }
  const profile: Profile = request.profile ?? (taskList.every((t) => t.profile === '0.4.4') ? '0.4.4' : 'latest');
  const ordered = profile === '0.4.4' ? [...taskList].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : taskList;

  if (request.outputPath) checkOutputPath(request.outputPath, profile);

  // 2. Model
  request.onPhase?.('loading the model');
  let lm: LM;
  if (typeof request.model === 'string') {
    const factory = request.modelFactory ?? getModelFactory(request.model);
    lm = await factory(modelArgs, { batchSize: request.batchSize, maxBatchSize: request.maxBatchSize, device: request.device, strict: request.strict });
  } else lm = request.model;
  if (request.useCache) lm = CachingLM.open(lm, request.useCache);
  if (request.wrapModel) lm = await request.wrapModel(lm, request);

  const applyChat = request.applyChatTemplate !== undefined && request.applyChatTemplate !== false;
  const fewshotAsMultiturn = request.fewshotAsMultiturn ?? (profile === 'latest' ? applyChat : false);
  if (fewshotAsMultiturn && !applyChat) {
    throw new LmEvalError('fewshot_as_multiturn needs apply_chat_template', 'add --apply_chat_template, or drop --fewshot_as_multiturn');
  }
  if (applyChat && !lm.applyChatTemplate) {
    throw new LmEvalError(`--apply_chat_template: the model '${lm.name}' has no chat template`, 'use a model/tokenizer that has one, or drop --apply_chat_template');
  }

  const judges = new JudgeModels({ useCache: request.useCache, loadBackend: request.loadBackend });
  try {
    // 3. Prepare tasks (docs, prompts, scoring)
    const prepared = [];
    const failures: unknown[] = [];
    for (const t of ordered) {
      request.onPhase?.(`loading dataset for ${t.name}`);
      request.signal?.throwIfAborted();
      try {
        prepared.push(
          await prepareTask(t, {
          runProfile: profile,
          numFewshot: request.numFewshot,
          genKwargs: request.genKwargs,
          predictOnly: Boolean(request.predictOnly),
          confirmRunUnsafeCode: Boolean(request.confirmRunUnsafeCode),
          cwd,
          env,
          warn,
          onProgress: (m) => log('DEBUG', m),
        }),
        );
      } catch (e) {
        // every task is tried, so one run names all broken tasks
        failures.push(withTaskFile(e, t.name, t.yamlPath));
      }
    }
    if (failures.length) throw LmEvalErrors.combine(failures, 'tasks failed to prepare');
    if (request.cacheRequests === 'delete') {
      const n = deleteRequestCache();
      log('INFO', `--cache_requests delete: removed ${n} request cache file(s)`);
    }
    const seeds = request.seeds ?? { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 };
    const logSamples = Boolean(request.logSamples || request.predictOnly);
    const id = dateId(new Date(started));
    const modelName = typeof request.model === 'string' ? modelNameOf(profile === '0.4.4' ? request.modelArgsRaw ?? '' : modelArgs, profile) : lm.name;
    const modelNameSanitized = sanitizeModelName(modelName);
    const loc = request.outputPath ? outputLocation(request.outputPath, modelNameSanitized, id, profile) : null;
    // samples are streamed to `<file>.partial` as each task is scored and moved into place at the end
    const writers = new Map<string, SamplesWriter>();
    let writeError: Error | null = null;
    const onSample =
      loc && logSamples
        ? (task: string, sample: Record<string, unknown>) => {
            if (writeError) return; // the samples stay in memory and reach the fallback file
            try {
              let w = writers.get(task);
              if (!w) {
                w = new SamplesWriter(loc.samplesFile(task));
                writers.set(task, w);
              }
              w.write(sample);
            } catch (e) {
              if (!(e instanceof Error) || !('code' in e)) throw e;
              writeError = e;
              log('ERROR', `cannot write samples under ${request.outputPath} (${(e as NodeJS.ErrnoException).code}); the run goes on and the results will be saved to a fallback file`);
            }
          }
        : undefined;

    // 4. Evaluate
    let runFailure: { error: unknown; failedTasks: string[] } | null = null;
    const outcomes = await evaluateTasks(prepared, lm, {
      onRunFailure: (error, failedTasks) => {
        runFailure = { error, failedTasks };
      },
      limit: request.limit ?? null,
      samples: request.samples ?? null,
      systemInstruction: request.systemInstruction ?? null,
      applyChatTemplate: applyChat,
      fewshotAsMultiturn,
      fewshotSeed: seeds.fewshot,
      bootstrapIters: request.bootstrapIters ?? 100000,
      logSamples,
      onSample,
      keepSamples: request.keepSamples,
      writeOut: request.writeOut ? (_task, text) => log('INFO', text) : undefined,
      onPhase: request.onPhase,
      onProgress: request.onProgress,
      signal: request.signal,
      profileLimitBug: profile === '0.4.4',
      shard: request.shard ?? null,
      judges,
      defaultJudge: request.judgeModel ?? null,
      outputProfile: profile,
      skipUnsupported: Boolean(request.skipUnsupportedTasks),
      warn,
      requestCache: request.cacheRequests
        ? {
            mode: request.cacheRequests,
            keyFor: (task) =>
              requestCacheKey({
                taskName: task.name,
                numFewshot: task.numFewshot,
                chatTemplate: applyChat,
                fewshotAsMultiturn,
                systemInstruction: request.systemInstruction,
                tokenizerName: lm.tokenizerName ?? null,
                configHash: taskConfigHash(task.configDump),
              }),
          }
        : undefined,
    });

    // 5. Groups (children before parents)
    const outcomeByName = new Map(outcomes.map((o) => [o.task.name, o]));
    const groupOutcomes: GroupOutcome[] = [];
    const leavesOf = (name: string): string[] => {
      const g = loaded.groups.get(name);
      if (!g) return outcomeByName.has(name) ? [name] : [];
      return g.children.flatMap(leavesOf);
    };
    const hibOf = new Map<string, Record<string, boolean | null>>(outcomes.map((o) => [o.task.name, o.task.higherIsBetter]));
    const nshotOf = new Map<string, unknown>(outcomes.map((o) => [o.task.name, o.task.nShot]));
    const entryOf = (o: TaskOutcome): Record<string, unknown> => Object.fromEntries(o.metrics);
    const depth = (name: string): number => {
      let d = 0;
      let p = loaded.groups.get(name)?.parent;
      while (p) {
        d++;
        p = loaded.groups.get(p)?.parent;
      }
      return d;
    };
    const groupsBottomUp = [...loaded.groups.values()].sort((a, b) => depth(b.name) - depth(a.name));
    const failedTasks = new Set<string>((runFailure as { failedTasks: string[] } | null)?.failedTasks ?? []);
    const allLeavesOf = (name: string): string[] => loaded.groups.get(name)?.children.flatMap(allLeavesOf) ?? [name];
    for (const g of groupsBottomUp) {
      // a group with an unfinished task gets no aggregate (it would be over the finished ones only)
      if (failedTasks.size > 0 && allLeavesOf(g.name).some((n) => failedTasks.has(n))) continue;
      const leaves: LeafResult[] = leavesOf(g.name).map((n) => {
        const o = outcomeByName.get(n)!;
        return { name: n, results: entryOf(o), sampleLen: o.sampleLen };
      });
      // (an aggregation given as a Python !function is answered by the helper worker)
      const agg = g.config.aggregate_metric_list ? await resolvePending(() => aggregateGroup(g.name, g.config.aggregate_metric_list as never, leaves, profile)) : null;
      for (const w of agg?.warnings ?? []) warn(w);
      const { merged, warnings } = mergeHigherIsBetter(g.name, g.children.map((c) => hibOf.get(c) ?? {}));
      for (const w of warnings) warn(w);
      hibOf.set(g.name, merged);
      const nShot = profile === 'latest' ? groupNShot(g.children.map((c) => nshotOf.get(c))) : undefined;
      nshotOf.set(g.name, nShot);
      const metadata = (g.config.metadata ?? null) as Record<string, unknown> | null;
      groupOutcomes.push({
        name: g.name,
        alias: g.config.group_alias ?? g.name,
        children: g.children,
        entry: agg ? groupEntry(g.name, g.config.group_alias, agg, profile) : null,
        version: groupVersion(metadata, profile),
        nShot,
        higherIsBetter: merged,
      });
    }
    groupOutcomes.reverse();

    // 6. Results
    const endPerf = performance.now() / 1000;
    const facts = request.environment ?? {};
    const gitHash = facts.gitHash !== undefined ? facts.gitHash : gitDescribe(cwd);
    const upperGitHash = facts.upperGitHash !== undefined ? facts.upperGitHash : gitDescribe(path.resolve(cwd, '..'));
    const chatTemplate = applyChat ? lm.chatTemplate?.(request.applyChatTemplate) ?? '' : null;
    const results = assembleResults(outcomes, groupOutcomes, {
      profile,
      model: typeof request.model === 'string' ? request.model : lm.name,
      modelArgs: profile === '0.4.4' ? request.modelArgsRaw ?? '' : redactModelArgs(modelArgs),
      modelConfigInfo: lm.configInfo?.(),
      batchSize: request.batchSize === undefined ? 1 : typeof request.batchSize === 'number' ? request.batchSize : request.batchSize,
      batchSizes: (lm.configInfo?.().batch_sizes as unknown[]) ?? [],
      device: request.device ?? (profile === 'latest' ? lm.device ?? facts.defaultDevice ?? null : null),
      useCache: request.useCache ?? null,
      limit: request.limit ?? null,
      bootstrapIters: request.bootstrapIters ?? 100000,
      genKwargs: request.genKwargs ?? (profile === 'latest' ? {} : null),
      seeds,
      gitHash,
      upperGitHash: upperGitHash === gitHash ? null : upperGitHash,
      date: started / 1000,
      lmEvalVersion: facts.lmEvalVersion ?? PACKAGE_VERSION,
      transformersVersion: facts.transformersVersion ?? 'N/A',
      modelResultsInfo: lm.resultsInfo?.(),
      logSamples,
      modelSource: typeof request.model === 'string' ? request.model : lm.name,
      modelName,
      modelNameSanitized,
      systemInstruction: request.systemInstruction ?? null,
      fewshotAsMultiturn: profile === 'latest' ? (applyChat ? fewshotAsMultiturn : request.fewshotAsMultiturn ?? null) : fewshotAsMultiturn,
      chatTemplate,
      startTime: startPerf,
      endTime: endPerf,
      totalSeconds: (Date.now() - started) / 1000,
    });
    // answer metrics: per-repeat means, None counts and judge identities, per task
    const answerMetrics = outcomes.filter((o) => o.answerSummary).map((o) => [o.task.name, o.answerSummary] as const);
    if (answerMetrics.length) (results as Record<string, unknown>).answer_metrics = Object.fromEntries(answerMetrics);
    if (request.judgeModel && results.config && typeof results.config === 'object') {
      (results.config as Record<string, unknown>).judge_model = { backend: request.judgeModel.backend, model_args: publicJudgeArgs(request.judgeModel.args) };
    }
    for (const [task, summary] of answerMetrics) {
      for (const [key, s] of Object.entries(summary ?? {})) {
        if (s.none === 0) continue;
        const why = s.judge ? 'judge replies its parser could not read' : 'not reported by the backend';
        warn(`${task}: ${key}: ${s.none} of ${s.none + s.scored} values are None (${why}); they are left out of the mean`);
      }
    }
    // configDump keys in configs already hold the dumps; the results 'configs' section is final.
    const resultsJson = serializeResults(results);
    const samples: Record<string, Array<Record<string, unknown>>> = {};
    for (const o of outcomes) samples[o.task.name] = o.samples;

    // 7. Files
    const files: string[] = [];
    let unsaved: EvaluationOutput['unsaved'];
    if (loc) {
      request.onPhase?.('writing results');
      try {
        if (writeError) throw writeError;
        writeResultsFile(loc.resultsFile, results);
        files.push(loc.resultsFile);
        if (logSamples) {
          // sample files in the order of the `configs` keys (alphabetical), as lm-eval writes them
          for (const name of Object.keys(results.configs as object)) {
            const w = writers.get(name) ?? new SamplesWriter(loc.samplesFile(name));
            w.finish();
            files.push(loc.samplesFile(name));
          }
        }
      } catch (e) {
        if (!(e instanceof Error) || !('code' in e)) throw e;
        // never lose a finished run: everything goes to one fallback file, the table is still printed
        const fallback = writeFallbackFile(id, results, logSamples ? samples : {});
        unsaved = { reason: `${(e as NodeJS.ErrnoException).code}: ${e.message}`, fallbackFile: fallback };
      }
    }

    if (runFailure) throw unfinishedRunError(runFailure, outcomes.map((o) => o.task.name), unsaved?.fallbackFile ? [unsaved.fallbackFile] : files, request.useCache ?? null);

    // 8. Summary
    const header =
      profile === 'latest'
        ? `${typeof request.model === 'string' ? request.model : lm.name} (${pyRepr(stripTrust(redactModelArgs(modelArgs)))}), gen_kwargs: (${pyRepr(request.genKwargs ?? {})}), limit: ${request.limit == null ? 'None' : pyStr(pyFloat(request.limit))}, num_fewshot: ${request.numFewshot ?? 'None'}, batch_size: ${request.batchSize ?? 1}`
        : `${typeof request.model === 'string' ? request.model : lm.name} (${request.modelArgsRaw ?? ''}), gen_kwargs: (${request.genKwargsRaw ?? 'None'}), limit: ${request.limit == null ? 'None' : pyStr(pyFloat(request.limit))}, num_fewshot: ${request.numFewshot ?? 'None'}, batch_size: ${request.batchSize ?? 1}`;
    let summary = header + '\n';
    if (profile === 'latest') {
      const { order, aliases } = tableOrder(results as Record<string, any>, loaded, outcomes);
      const withAliases = JSON.parse(JSON.stringify({ ...results, results: {} }));
      const res: Record<string, unknown> = {};
      for (const name of order) {
        const e = (results.results as Record<string, Record<string, unknown>>)[name];
        if (e) res[name] = { ...e, alias: aliases[name] };
      }
      summary += makeTable({ ...(results as object), results: res, versions: results.versions, 'n-shot': results['n-shot'], higher_is_better: results.higher_is_better });
      void withAliases;
    } else summary += makeTable(results as Record<string, unknown>);
    if (results.groups) summary += '\n\n' + makeTable(results as Record<string, unknown>, 'groups');
    return { results, samples, resultsJson, summary, files, profile, unsaved };
  } finally {
    await judges.close();
    await lm.close?.();
  }
}

/**
 * The error of a run whose requests failed after some tasks finished: what failed, what was
 * written (the finished tasks' results and samples), and how to finish the rest.
 */
function unfinishedRunError(failure: { error: unknown; failedTasks: string[] }, finished: string[], files: string[], useCache: string | null): LmEvalError {
  const cause = failure.error instanceof Error ? failure.error.message : String(failure.error);
  const saved = files.length > 0 ? `; the results of the ${finished.length} finished task(s) (${finished.join(', ')}) were written: ${files.join(', ')}` : `; ${finished.length} task(s) finished (${finished.join(', ')}) but no --output_path was given, so nothing was written`;
  const resume = useCache
    ? `Rerun the same command once the cause is fixed: answers already received are read from the --use_cache cache (${useCache}), so only the unanswered requests are sent.`
    : `Once the cause is fixed, rerun with --tasks ${failure.failedTasks.join(',')}; add --use_cache <path> so that answers already received are kept if a run fails again.`;
  const causeHint = failure.error instanceof LmEvalError ? failure.error.hint : undefined;
  const hint = causeHint && !causeHint.includes('--use_cache') ? `${causeHint}\n${resume}` : resume;
  return new LmEvalError(`task(s) ${failure.failedTasks.join(', ')} failed: ${cause}${saved}.`, hint, { cause: failure.error });
}

/** A user error about a task, with the task and its YAML file named (once). */
function withTaskFile(e: unknown, task: string, file: string | null): unknown {
  if (!(e instanceof LmEvalError) || e instanceof LmEvalErrors) return e;
  let message = e.message;
  if (!message.includes(`'${task}'`)) message = `task '${task}': ${message}`;
  if (file && !message.includes(file)) message = `${file}: ${message}`;
  return message === e.message ? e : new LmEvalError(message, e.hint, { cause: e });
}

function stripTrust(args: ModelArgs): ModelArgs {
  const { trust_remote_code: _t, ...rest } = args;
  return rest;
}
