/**
 * The evaluator loop (lm_eval/evaluator.py `evaluate`): build requests for all tasks, send
 * them to the model grouped by request type, apply filter pipelines, score every doc, aggregate
 * and compute standard errors.
 */
import { describePreflightFailures, preflightError, preflightTasks } from './preflight.ts';
import type { LM } from '../model/types.ts';
import type { Profile } from '../compat.ts';
import type { Doc } from '../prompt/task-view.ts';
import { buildContext } from '../prompt/context.ts';
import { buildInstances } from '../request/build.ts';
import type { Instance } from '../request/instance.ts';
import { PyRandom } from '../python/random.ts';
import { LmEvalError } from '../errors.ts';
import { pyStr } from '../python/values.ts';
import { loadCachedRequests, saveCachedRequests } from '../cache/request-cache.ts';
import { buildSampleRecord } from '../report/sample-record.ts';
import type { EvalTask } from './eval-task.ts';
import { runContextBased, runInstances, type RunProgress } from './run-requests.ts';
import { stderrFor } from './stderr.ts';
import { inShard, type ShardSpec } from './shard.ts';
import { flushPython, isPending, mapBatched, resolvePending } from '../pyfn/session.ts';
import { withTaskName } from '../pyfn/worker.ts';
import type { JudgeModels, JudgeModelSpec } from './answers/judge-models.ts';
import { meanOfScored, scoreAnswers, type AnswerKeySummary, type TaskAnswers } from './answers/score-answers.ts';

export interface EvaluatorOptions {
  limit?: number | null;
  samples?: Record<string, number[]> | null;
  systemInstruction?: string | null;
  applyChatTemplate: boolean;
  fewshotAsMultiturn: boolean;
  fewshotSeed: number | null;
  bootstrapIters: number;
  logSamples: boolean;
  writeOut?: (task: string, text: string) => void;
  onPhase?: (phase: string) => void;
  onProgress?: (p: RunProgress) => void;
  signal?: AbortSignal;
  /** samples are streamed here as soon as a task is scored */
  onSample?: (task: string, sample: Record<string, unknown>) => void;
  /** false: outcomes keep only each sample's hash fields (what the results' task_hashes need), not the records */
  keepSamples?: boolean;
  /** the run's profile: decides the key set of sample records (default: each task's) */
  outputProfile?: Profile;
  /** `--cache_requests`: built requests cached per task */
  requestCache?: { mode: 'true' | 'refresh' | 'delete'; keyFor(task: EvalTask): string; dir?: string };
  /** v0.4.4 limit bug: a fractional limit is converted once and reused for later tasks */
  profileLimitBug?: boolean;
  /** tasks the backend's preflight cannot serve are left out (with a warning) instead of refusing the run */
  skipUnsupported?: boolean;
  warn?: (message: string) => void;
  /**
   * When running the requests fails (not on Ctrl-C), the tasks whose requests were all answered are
   * still scored and returned, and this is told the error and the tasks left unfinished; without
   * it, or when no task finished, the error is thrown.
   */
  onRunFailure?: (error: unknown, failedTasks: string[]) => void;
  /** `--shard i/n`: requests are built for every selected doc, then only the shard's docs run */
  shard?: ShardSpec | null;
  /** judge models for judge metrics (runEvaluation opens them) */
  judges?: JudgeModels;
  /** the run's `--judge_model`, for judge metrics that name none */
  defaultJudge?: JudgeModelSpec | null;
}

export interface TaskOutcome {
  task: EvalTask;
  /** selected doc ids (positions in the eval split, or --samples indexes) */
  docIds: number[];
  /** `"<metric>,<filter>"` -> value, `"<metric>_stderr,<filter>"` -> stderr, in first-seen order */
  metrics: Array<[string, unknown]>;
  /** number of values of the last aggregated metric key (latest sample_len) */
  sampleLen: number;
  /** number of values per metric key */
  sampleCounts: Record<string, number>;
  /** the sample records (with keepSamples false: only their doc_hash, prompt_hash and target_hash) */
  samples: Array<Record<string, unknown>>;
  /** effective doc count (v0.4.4 n-samples) */
  effective: number;
  /** answer metrics: per result key, per-repeat means, None counts and the judge */
  answerSummary?: Record<string, AnswerKeySummary>;
}

/** Which docs to evaluate: `--limit` (count or fraction) or `--samples` indexes. */
export function selectDocs(
  task: EvalTask,
  options: Pick<EvaluatorOptions, 'limit' | 'samples'>,
  limitOverride?: number,
): Array<[number, Doc]> {
  const docs = task.evalDocs;
  if (options.samples) {
    const ids = options.samples[task.name];
    if (!ids) return docs.map((d, i) => [i, d]);
    for (const i of ids) {
      if (i >= docs.length) {
        throw new LmEvalError(`--samples: index ${i} is out of range for task '${task.name}' (${docs.length} docs)`);
      }
    }
    // docs kept in dataset order; the logged doc_id is the listed index at the same position
    const wanted = new Set(ids);
    const kept = docs.map((d, i) => [i, d] as [number, Doc]).filter(([i]) => wanted.has(i));
    return kept.map(([, d], pos) => [ids[pos], d]);
  }
  let n = docs.length;
  const L = limitOverride ?? options.limit;
  if (L !== null && L !== undefined) n = L < 1 ? Math.ceil(docs.length * L) : Math.trunc(L);
  return docs.slice(0, n).map((d, i) => [i, d]);
}

function limitCount(total: number, limit: number | null | undefined): number {
  if (limit === null || limit === undefined) return total;
  return limit < 1 ? Math.ceil(total * limit) : Math.trunc(limit);
}

/** Builds every selected doc's context and requests (consumes the task's sampler RNG in doc order). */
export async function buildTaskRequests(task: EvalTask, selected: Array<[number, Doc]>, lm: LM, options: EvaluatorOptions): Promise<Instance[][]> {
  if (task.buildRequests) {
    const byDoc = await task.buildRequests(selected, options);
    if (options.writeOut && byDoc.length) writeOutFirst(task, selected[0][1], byDoc[0], options.writeOut);
    return byDoc;
  }
  const rnd = new PyRandom(options.fewshotSeed ?? undefined);
  let sampler: ReturnType<EvalTask['makeSampler']> | undefined;
  let pool: Doc[] | undefined;
  const getPool = (): Doc[] => (pool ??= task.fewshotPool());
  const byDoc: Instance[][] = [];
  let lastYield = performance.now();
  for (const [docId, doc] of selected) {
    // long prompt building checks for Ctrl-C every ~100 ms (and yields so the handler can run)
    if (performance.now() - lastYield > 100) {
      await yieldUnlessAborted(options.signal);
      lastYield = performance.now();
    }
    if (task.numFewshot > 0 && !sampler) sampler = task.makeSampler(rnd);
    // Python helpers (doc_to_*) were answered in advance for the eval docs and the few-shot
    // pool; a call that was not (a doc built on the fly) is answered here, and the doc is
    // built again from the same random state.
    const state = task.numFewshot > 0 ? rnd.getstate() : undefined;
    let instances: Instance[];
    for (;;) {
      try {
        instances = buildOne(doc, docId);
        break;
      } catch (e) {
        if (!isPending(e)) throw e;
        if (state) rnd.setstate(state);
        await flushPython();
      }
    }
    byDoc.push(instances);
    if (options.writeOut && byDoc.length === 1) writeOutFirst(task, doc, instances, options.writeOut);
  }
  return byDoc;

  function buildOne(doc: Doc, docId: number): Instance[] {
    const built = buildContext(
      doc,
      task.view,
      {
        numFewshot: task.numFewshot,
        systemInstruction: options.systemInstruction,
        applyChatTemplate: options.applyChatTemplate,
        fewshotAsMultiturn: options.fewshotAsMultiturn,
        lm,
        sampler,
        excludeEvalDoc: task.excludeEvalDoc,
        samplerName: task.samplerName,
      },
      getPool,
    );
    const instances = buildInstances(doc, docId, built, task.view, {
      applyChatTemplate: options.applyChatTemplate,
      generationKwargs: task.generationKwargs,
      mutualInfo: task.mutualInfo,
      repeats: task.repeats,
    });
    if (task.repeatSeed !== undefined) for (const inst of instances) inst.repeatSeed = task.repeatSeed;
    return instances;
  }
}

/** `--write_out`: the first doc's prompt and target. */
function writeOutFirst(task: EvalTask, doc: Doc, instances: Instance[], writeOut: (task: string, text: string) => void): void {
  const target = task.view.task.docToTarget(doc);
  writeOut(
    task.name,
    `Task: ${task.name}; document 0; context prompt (starting on next line):\n${pyStr(instances[0]?.arguments[0])}\n(end of prompt on previous line)\ntarget string or answer choice index (starting on next line):\n${pyStr(target)}\n(end of target on previous line)`,
  );
}

/** Lets pending events (a SIGINT handler) run, then stops if the run was cancelled. */
async function yieldUnlessAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}

export async function evaluateTasks(tasks: EvalTask[], lm: LM, options: EvaluatorOptions): Promise<TaskOutcome[]> {
  // 1. Build requests, task by task, doc by doc.
  const perTask: Array<{ task: EvalTask; selected: Array<[number, Doc]>; byDoc: Instance[][] }> = [];
  let convertedLimit: number | undefined;
  for (const task of tasks) {
    // long runs check for Ctrl-C between tasks (and yield, so the signal handler can run)
    await yieldUnlessAborted(options.signal);
    options.onPhase?.(`building requests for ${task.name}`);
    let limitOverride: number | undefined;
    if (options.profileLimitBug && options.limit != null && options.limit < 1) {
      if (convertedLimit === undefined) convertedLimit = Math.ceil(task.evalDocs.length * options.limit);
      limitOverride = convertedLimit;
    }
    const rc = options.requestCache;
    const key = rc ? rc.keyFor(task) : '';
    let selected: Array<[number, Doc]>;
    let byDoc: Instance[][];
    const cached = rc && rc.mode === 'true' ? loadCachedRequests(key, rc.dir) : undefined;
    if (cached) {
      // cached requests are cut to the limit (a plain count, as lm-eval does)
      const n = limitCount(task.evalDocs.length, limitOverride ?? options.limit);
      byDoc = cached.slice(0, n);
      selected = byDoc.map((insts) => [insts[0].docId, insts[0].doc]);
    } else if (rc && rc.mode !== 'delete') {
      // writing a cache builds every doc, then the in-memory list is cut to the limit
      const all = selectDocs(task, { limit: null, samples: null });
      const built = await buildTaskRequests(task, all, lm, options);
      saveCachedRequests(key, built, rc.dir);
      const n = limitCount(task.evalDocs.length, limitOverride ?? options.limit);
      byDoc = built.slice(0, n);
      selected = all.slice(0, n);
    } else {
      selected = selectDocs(task, options, limitOverride);
      byDoc = await buildTaskRequests(task, selected, lm, options);
    }
    if (options.shard && options.shard.count > 1) {
      const shard = options.shard;
      const keep = selected.map(([docId]) => inShard(shard, task.name, docId));
      selected = selected.filter((_, d) => keep[d]);
      byDoc = byDoc.filter((_, d) => keep[d]);
    }
    perTask.push({ task, selected, byDoc });
  }

  // 2. Preflight: every task's request types, before the first request.
  if (lm.preflight) {
    options.onPhase?.('preflight');
    const failures = await preflightTasks(lm, perTask.map((t) => ({ name: t.task.name, instances: t.byDoc.flat() })));
    if (failures.length) {
      const bad = new Set(failures.map((f) => f.task));
      const runnable = perTask.filter((t) => !bad.has(t.task.name));
      if (!options.skipUnsupported || runnable.length === 0) throw preflightError(lm.name, failures, runnable.length);
      options.warn?.(`${describePreflightFailures(lm.name, failures)}\n--skip_unsupported_tasks: running the other ${runnable.length} task(s).`);
      perTask.splice(0, perTask.length, ...runnable);
    }
  }

  // 3. Run the model: context-based tasks one request at a time, the rest batched by type.
  const batched: Instance[] = [];
  for (const t of perTask) {
    if (t.task.contextBased) continue;
    for (const insts of t.byDoc) batched.push(...insts);
  }
  options.onPhase?.('running requests');
  try {
    await runInstances(lm, batched, { signal: options.signal, onProgress: options.onProgress });
    for (const t of perTask) {
      if (!t.task.contextBased) continue;
      await runContextBased(lm, t.byDoc.flat(), t.task.contextBased, { signal: options.signal, onProgress: options.onProgress });
    }
  } catch (e) {
    // never throw away finished tasks: those with every request answered are still scored
    if (!options.onRunFailure || options.signal?.aborted) throw e;
    const finished = perTask.filter((t) => t.byDoc.every((insts) => insts.every(answered)));
    if (finished.length === 0) throw e;
    const kept = new Set(finished);
    options.onRunFailure(e, perTask.filter((t) => !kept.has(t)).map((t) => t.task.name));
    perTask.splice(0, perTask.length, ...finished);
  }
  // the instances live on in byDoc only, so that each doc's are freed once it is scored
  batched.length = 0;
  // each doc's instances in idx order (the order process_results and the samples see them in)
  for (const t of perTask) for (const insts of t.byDoc) if (insts.length > 1) insts.sort((a, b) => a.idx - b.idx);

  // 4. Answer metrics (judges, lengths, times) on every repeat of the generations.
  const answersOf = new Map<EvalTask, TaskAnswers>();
  for (const { task, selected, byDoc } of perTask) {
    if (!task.answerMetrics?.length) continue;
    const docs = selected.map(([, doc], d) => {
      const instance = byDoc[d].find((i) => i.requestType === 'generate_until');
      if (!instance) throw new LmEvalError(`task '${task.name}': answer metrics need a generate_until request per doc`);
      return { doc, instance };
    });
    answersOf.set(
      task,
      await scoreAnswers(task.answerMetrics, docs, {
        task: task.name,
        judges: options.judges,
        defaultJudge: options.defaultJudge,
        fieldsOf: task.answerFields!,
        signal: options.signal,
        onPhase: options.onPhase,
        onProgress: (label, done, total) => options.onProgress?.({ requestType: 'generate_until', done, total, label }),
      }),
    );
  }

  // 5. Filters, per-doc metrics, aggregation.
  const outcomes: TaskOutcome[] = [];
  for (const { task, selected, byDoc } of perTask) {
    try {
      const answers = answersOf.get(task);
      await yieldUnlessAborted(options.signal);
      options.onPhase?.(`scoring ${task.name}`);
      await applyTaskFilters(task, byDoc);
      const raw = new Map<string, unknown[]>();
      const samples: Array<Record<string, unknown>> = [];
      for (const [p, pipeline] of task.filters.entries()) {
        // this pipeline's metric -> its values in `raw` (the key made once, not per doc)
        const valuesOf = new Map<string, unknown[]>();
        // Python process_results / metric functions: one batched call per function (pyfn/).
        const perDoc = await mapBatched(selected, ([, doc], d) =>
          task.processResults(
            doc,
            byDoc[d].map((i) => i.filteredResps[pipeline.name]),
          ),
        );
        selected.forEach(([docId, doc], d) => {
          const insts = byDoc[d];
          const metrics = perDoc[d];
          const docAnswers = answers?.perDoc[d];
          // answer metrics: the doc's value is the mean of its repeats (None when none was measurable)
          if (docAnswers) for (const [key, values] of Object.entries(docAnswers.values)) metrics[key] = meanOfScored(values);
          if (options.logSamples) {
            const sample = buildSampleRecord({
              docId,
              doc,
              target: task.view.task.docToTarget(doc),
              instances: insts,
              filter: pipeline.name,
              metrics,
              profile: options.outputProfile ?? task.profile,
            });
            if (docAnswers) {
              sample.generations = docAnswers.generations;
              sample.judgements = docAnswers.judgements;
              sample.answer_scores = docAnswers.values;
            }
            samples.push(options.keepSamples === false ? { doc_hash: sample.doc_hash, prompt_hash: sample.prompt_hash, target_hash: sample.target_hash } : sample);
            options.onSample?.(task.name, sample);
          }
          for (const metric of Object.keys(metrics)) {
            const value = metrics[metric];
            let values = valuesOf.get(metric);
            if (!values) {
              const key = `${metric},${pipeline.name}`;
              values = raw.get(key);
              if (!values) raw.set(key, (values = []));
              valuesOf.set(metric, values);
            }
            // an unmeasurable answer metric is left out of the mean (counted in answerSummary)
            if (value === null && docAnswers && metric in docAnswers.values) continue;
            values.push(value);
          }
          // a scored doc's instances (prompts, responses) are not needed any more
          if (p === task.filters.length - 1) byDoc[d] = [];
        });
      }
      const metrics: Array<[string, unknown]> = [];
      const sampleCounts: Record<string, number> = {};
      let sampleLen = 0;
      for (const [key, items] of raw) {
        const comma = key.indexOf(',');
        const metric = key.slice(0, comma);
        const filter = key.slice(comma + 1);
        if (items.length === 0 && answers?.summary[metric]) {
          // no repeat of any doc was measurable (every judge reply unreadable, ...): None, not 0
          metrics.push([key, null], [`${metric}_stderr,${filter}`, 'N/A']);
          sampleCounts[key] = 0;
          sampleLen = 0;
          continue;
        }
        const agg = task.aggregationFor(metric);
        metrics.push([key, await resolvePending(() => agg.fn(items))]);
        metrics.push([`${metric}_stderr,${filter}`, stderrFor(agg.name, agg.fn, metric, items, options.bootstrapIters)]);
        sampleCounts[key] = items.length;
        sampleLen = items.length;
      }
      outcomes.push({
        task,
        docIds: selected.map(([i]) => i),
        metrics,
        sampleLen,
        sampleCounts,
        samples,
        effective: selected.length,
        ...(answers ? { answerSummary: answers.summary } : {}),
      });
    } catch (e) {
      // Python helper errors (filters, scoring, aggregation) name the task too
      throw withTaskName(e, task.name);
    }
  }
  return outcomes;
}

/** Runs the task's filter pipelines over every instance's responses (sets each instance's `filteredResps`). */
async function applyTaskFilters(task: EvalTask, byDoc: Instance[][]): Promise<void> {
  const all = byDoc.flat();
  if (task.applyFilters) return task.applyFilters(all);
  const docsOfInstances = all.map((i) => i.doc);
  for (const pipeline of task.filters) {
    const filtered = await pipeline.apply(
      all.map((i) => i.resps),
      docsOfInstances,
    );
    all.forEach((inst, k) => {
      inst.filteredResps[pipeline.name] = filtered[k];
    });
  }
}

/** Whether every repeat of an instance has its answer. */
function answered(inst: Instance): boolean {
  if (inst.resps.length < inst.repeats) return false;
  for (let r = 0; r < inst.repeats; r++) if (inst.resps[r] === undefined) return false;
  return true;
}
