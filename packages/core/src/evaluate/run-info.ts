/**
 * What the results record about the run itself (lm-eval's results `config` and environment keys):
 * the model and its arguments, the run's settings, seeds, environment facts, names and times.
 */
import type { Profile } from '../compat.ts';
import type { LM, ModelArgs } from '../model/types.ts';
import { modelNameOf, sanitizeModelName } from '../report/output-files.ts';
import { publicJudgeArgs } from './answers/judge-models.ts';
import type { ResolvedEnvironment } from './environment.ts';
import type { EvaluationRequest } from './evaluation-request.ts';
import type { ChatSettings } from './model-setup.ts';
import { modelLabel } from './model-setup.ts';
import { redactModelArgs } from './redact-model-args.ts';
import type { RunInfo } from './results.ts';
import { DEFAULT_BOOTSTRAP_ITERS, DEFAULT_SEEDS } from './run-tasks.ts';

/** When the run started: wall clock (ms since the epoch) and the monotonic clock (s). */
export interface RunClock {
  startedMs: number;
  startPerf: number;
}

export function startClock(): RunClock {
  return { startedMs: Date.now(), startPerf: performance.now() / 1000 };
}

export interface ModelNames {
  modelName: string;
  modelNameSanitized: string;
}

/** `model_name` (from the model args, as lm-eval derives it) and its file-name form. */
export function modelNames(request: Pick<EvaluationRequest, 'model' | 'modelArgsRaw'>, profile: Profile, modelArgs: ModelArgs, lm: LM): ModelNames {
  const modelName = typeof request.model === 'string' ? modelNameOf(profile === '0.4.4' ? request.modelArgsRaw ?? '' : modelArgs, profile) : lm.name;
  return { modelName, modelNameSanitized: sanitizeModelName(modelName) };
}

export interface RunFacts {
  profile: Profile;
  lm: LM;
  modelArgs: ModelArgs;
  chat: ChatSettings;
  logSamples: boolean;
  names: ModelNames;
  environment: ResolvedEnvironment;
  clock: RunClock;
}

export function describeRun(request: EvaluationRequest, facts: RunFacts): RunInfo {
  const { profile, lm, modelArgs, chat, environment, clock } = facts;
  const latest = profile === 'latest';
  const endPerf = performance.now() / 1000;
  return {
    profile,
    model: modelLabel(request.model, lm),
    modelArgs: latest ? redactModelArgs(modelArgs) : request.modelArgsRaw ?? '',
    modelConfigInfo: lm.configInfo?.(),
    batchSize: request.batchSize === undefined ? 1 : request.batchSize,
    batchSizes: (lm.configInfo?.().batch_sizes as unknown[]) ?? [],
    device: request.device ?? (latest ? lm.device ?? environment.defaultDevice : null),
    useCache: request.useCache ?? null,
    limit: request.limit ?? null,
    bootstrapIters: request.bootstrapIters ?? DEFAULT_BOOTSTRAP_ITERS,
    genKwargs: request.genKwargs ?? (latest ? {} : null),
    seeds: request.seeds ?? DEFAULT_SEEDS,
    gitHash: environment.gitHash,
    upperGitHash: environment.upperGitHash,
    date: clock.startedMs / 1000,
    lmEvalVersion: environment.lmEvalVersion,
    transformersVersion: environment.transformersVersion,
    prettyEnvInfo: environment.prettyEnvInfo,
    modelResultsInfo: lm.resultsInfo?.(),
    logSamples: facts.logSamples,
    modelSource: modelLabel(request.model, lm),
    ...facts.names,
    systemInstruction: request.systemInstruction ?? null,
    fewshotAsMultiturn: recordedFewshotAsMultiturn(request, profile, chat),
    chatTemplate: chat.applyChat ? lm.chatTemplate?.(request.applyChatTemplate) ?? '' : null,
    startTime: clock.startPerf,
    endTime: endPerf,
    totalSeconds: (Date.now() - clock.startedMs) / 1000,
    judgeModel: request.judgeModel ? { backend: request.judgeModel.backend, model_args: publicJudgeArgs(request.judgeModel.args) } : null,
  };
}

/** `fewshot_as_multiturn` as recorded: [latest] the flag as given unless a chat template applies. */
function recordedFewshotAsMultiturn(request: Pick<EvaluationRequest, 'fewshotAsMultiturn'>, profile: Profile, chat: ChatSettings): boolean | null {
  if (profile !== 'latest' || chat.applyChat) return chat.fewshotAsMultiturn;
  return request.fewshotAsMultiturn ?? null;
}
