/**
 * The library entry point (lm-eval's `simple_evaluate` + the CLI's output tracker): select the
 * tasks, build the model, prepare and run the tasks, aggregate the groups, assemble the results,
 * write the files and format the summary.
 */
import { deleteRequestCache } from '../cache/request-cache.ts';
import { closePythonHelpers, configurePythonHelpers } from '../pyfn/session.ts';
import { withRegistry } from '../registry/active.ts';
import { dateId, checkOutputPath, serializeResults } from '../report/output-files.ts';
import { JudgeModels } from './answers/judge-models.ts';
import { noneValueWarnings } from './answers/score-answers.ts';
import { resolveEnvironment } from './environment.ts';
import type { EvaluationOutput, EvaluationRequest } from './evaluation-request.ts';
import { aggregateGroups } from './group-outcomes.ts';
import { buildModel, chatSettings, modelLabel } from './model-setup.ts';
import { prepareTasks } from './prepare-task.ts';
import { assembleResults } from './results.ts';
import { describeRun, modelNames, startClock } from './run-info.ts';
import { runLog } from './run-log.ts';
import { RunOutputs, samplesByTask } from './run-outputs.ts';
import { DEFAULT_SEEDS, runTasks, unfinishedRunError } from './run-tasks.ts';
import { formatSummary, summaryHeader } from './summary.ts';
import { selectTasks } from './task-selection.ts';

export type { EvaluationOutput, EvaluationRequest, LogLevel } from './evaluation-request.ts';
export type { EnvironmentFacts } from './environment.ts';

export function runEvaluation(request: EvaluationRequest): Promise<EvaluationOutput> {
  return withRegistry(request.registry, () => evaluateWithHelpers(request));
}

async function evaluateWithHelpers(request: EvaluationRequest): Promise<EvaluationOutput> {
  // one Python helper worker serves the run (started on first use) and ends with it
  const seeds = request.seeds ?? DEFAULT_SEEDS;
  configurePythonHelpers({ python: request.python ?? request.env?.LM_EVAL_PYTHON ?? undefined, seeds: { random: seeds.random, numpy: seeds.numpy } });
  try {
    return await evaluateSelection(request);
  } finally {
    await closePythonHelpers();
  }
}

async function evaluateSelection(request: EvaluationRequest): Promise<EvaluationOutput> {
  const cwd = request.cwd ?? process.cwd();
  const log = runLog(request);
  const clock = startClock();
  const modelArgs = { ...(request.modelArgs ?? {}) };
  const { loaded, profile, ordered } = await selectTasks({ ...request, metadata: { ...modelArgs, ...(request.metadata ?? {}) }, cwd }, log);
  if (request.outputPath) checkOutputPath(request.outputPath, profile);
  // the git hashes the results record: child processes that run while the tasks do
  const environment = resolveEnvironment(request.environment ?? {}, cwd);
  log.phase('loading the model');
  const lm = await buildModel(request, modelArgs);
  const judges = new JudgeModels({ useCache: request.useCache, loadBackend: request.loadBackend });
  try {
    const chat = chatSettings(request, profile, lm);
    const prepared = await prepareTasks(
      ordered,
      { runProfile: profile, numFewshot: request.numFewshot, genKwargs: request.genKwargs, predictOnly: Boolean(request.predictOnly), confirmRunUnsafeCode: Boolean(request.confirmRunUnsafeCode), cwd, env: request.env ?? process.env, warn: log.warn, onProgress: (m) => log.log('DEBUG', m) },
      { phase: log.phase, signal: request.signal },
    );
    if (request.cacheRequests === 'delete') log.log('INFO', `--cache_requests delete: removed ${deleteRequestCache()} request cache file(s)`);
    const logSamples = Boolean(request.logSamples || request.predictOnly);
    const names = modelNames(request, profile, modelArgs, lm);
    const outputs = new RunOutputs({ outputPath: request.outputPath ?? null, modelNameSanitized: names.modelNameSanitized, id: dateId(new Date(clock.startedMs)), profile, logSamples }, log);
    const { outcomes, failure } = await runTasks(prepared, lm, request, { profile, chat, logSamples, judges, onSample: outputs.onSample }, log);
    const groups = await aggregateGroups(loaded.groups, outcomes, new Set(failure?.failedTasks), profile, log.warn);
    const results = assembleResults(outcomes, groups, describeRun(request, { profile, lm, modelArgs, chat, logSamples, names, environment: await environment, clock }));
    for (const o of outcomes) for (const w of noneValueWarnings(o.task.name, o.answerSummary ?? {})) log.warn(w);
    const samples = samplesByTask(outcomes);
    const { files, unsaved } = outputs.write(results, samples);
    if (failure) throw unfinishedRunError(failure, outcomes.map((o) => o.task.name), unsaved?.fallbackFile ? [unsaved.fallbackFile] : files, request.useCache ?? null);
    const summary = formatSummary(summaryHeader(modelLabel(request.model, lm), request, modelArgs, profile), results, loaded.groups, profile);
    return { results, samples, resultsJson: serializeResults(results), summary, files, profile, unsaved };
  } finally {
    await judges.close();
    await lm.close?.();
  }
}
