/**
 * Runs the prepared tasks on the model (lm-eval's `evaluate`): the evaluator's options as the
 * request sets them, and the error of a run that stopped with some tasks unfinished.
 */
import type { Profile } from '../compat.ts';
import { requestCacheKey, taskConfigHash } from '../cache/request-cache.ts';
import { LmEvalError } from '../errors.ts';
import type { LM } from '../model/types.ts';
import type { JudgeModels } from './answers/judge-models.ts';
import type { EvalTask } from './eval-task.ts';
import type { EvaluationRequest } from './evaluation-request.ts';
import { evaluateTasks, type EvaluatorOptions, type TaskOutcome } from './evaluator.ts';
import type { ChatSettings } from './model-setup.ts';
import type { RunLog } from './run-log.ts';

export type Seeds = NonNullable<EvaluationRequest['seeds']>;

/** lm-eval's `--seed` default `0,1234,1234,1234`. */
export const DEFAULT_SEEDS: Seeds = { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 };

/** lm-eval's `--bootstrap_iters` default. */
export const DEFAULT_BOOTSTRAP_ITERS = 100000;

export interface RunFailure {
  error: unknown;
  /** tasks whose requests were not all answered */
  failedTasks: string[];
}

export interface TasksRun {
  outcomes: TaskOutcome[];
  /** set when the requests failed part-way: the outcomes are then the finished tasks' */
  failure: RunFailure | null;
}

export interface RunSettings {
  profile: Profile;
  chat: ChatSettings;
  logSamples: boolean;
  judges: JudgeModels;
  onSample?: EvaluatorOptions['onSample'];
}

export async function runTasks(prepared: EvalTask[], lm: LM, request: EvaluationRequest, settings: RunSettings, runLog: RunLog): Promise<TasksRun> {
  let failure: RunFailure | null = null;
  const outcomes = await evaluateTasks(prepared, lm, {
    ...evaluatorOptions(request, settings, runLog),
    requestCache: requestCacheOf(request, settings.chat, lm),
    onRunFailure: (error, failedTasks) => {
      failure = { error, failedTasks };
    },
  });
  return { outcomes, failure };
}

function evaluatorOptions(request: EvaluationRequest, { profile, chat, logSamples, judges, onSample }: RunSettings, { log, warn }: RunLog): EvaluatorOptions {
  return {
    limit: request.limit ?? null,
    samples: request.samples ?? null,
    systemInstruction: request.systemInstruction ?? null,
    applyChatTemplate: chat.applyChat,
    fewshotAsMultiturn: chat.fewshotAsMultiturn,
    fewshotSeed: (request.seeds ?? DEFAULT_SEEDS).fewshot,
    bootstrapIters: request.bootstrapIters ?? DEFAULT_BOOTSTRAP_ITERS,
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
  };
}

/** `--cache_requests`: built requests cached per task under lm-eval's cache key. */
function requestCacheOf(request: EvaluationRequest, chat: ChatSettings, lm: LM): EvaluatorOptions['requestCache'] {
  if (!request.cacheRequests) return undefined;
  return {
    mode: request.cacheRequests,
    keyFor: (task) =>
      requestCacheKey({
        taskName: task.name,
        numFewshot: task.numFewshot,
        chatTemplate: chat.applyChat,
        fewshotAsMultiturn: chat.fewshotAsMultiturn,
        systemInstruction: request.systemInstruction,
        tokenizerName: lm.tokenizerName ?? null,
        configHash: taskConfigHash(task.configDump),
      }),
  };
}

/**
 * The error of a run whose requests failed after some tasks finished: what failed, what was
 * written (the finished tasks' results and samples), and how to finish the rest.
 */
export function unfinishedRunError(failure: RunFailure, finished: string[], files: string[], useCache: string | null): LmEvalError {
  const cause = failure.error instanceof Error ? failure.error.message : String(failure.error);
  const saved = files.length > 0 ? `; the results of the ${finished.length} finished task(s) (${finished.join(', ')}) were written: ${files.join(', ')}` : `; ${finished.length} task(s) finished (${finished.join(', ')}) but no --output_path was given, so nothing was written`;
  const resume = useCache
    ? `Rerun the same command once the cause is fixed: answers already received are read from the --use_cache cache (${useCache}), so only the unanswered requests are sent.`
    : `Once the cause is fixed, rerun with --tasks ${failure.failedTasks.join(',')}; add --use_cache <path> so that answers already received are kept if a run fails again.`;
  const causeHint = failure.error instanceof LmEvalError ? failure.error.hint : undefined;
  const hint = causeHint && !causeHint.includes('--use_cache') ? `${causeHint}\n${resume}` : resume;
  return new LmEvalError(`task(s) ${failure.failedTasks.join(', ')} failed: ${cause}${saved}.`, hint, { cause: failure.error });
}
