/**
 * The documented library API of @lm-eval/core for custom harnesses (docs/api/ is generated from
 * this module: `pnpm docs:api`): evaluate tasks on a backend or your own {@link LM}, read typed
 * results, access tasks, declare model arguments, receive events.
 * @module
 */
export { evaluate, simpleEvaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.ts';
export { toPlain, type Results, type TaskResult, type SampleRecord, type SampleCounts } from './results.ts';
export { TaskManager, type TaskManagerOptions, type BuildRequestsOptions } from './task-manager.ts';
export type { EnvironmentFacts } from '../evaluate/environment.ts';
export type { Instance, RequestType, RequestArguments } from '../request/instance.ts';
export type { LoadedTasks } from '../task/group.ts';
export type { EvalTask } from '../evaluate/eval-task.ts';
export type {
  LM,
  Context,
  ChatMessage,
  ChatTemplateOptions,
  GenKwargs,
  LoglikelihoodRequest,
  LoglikelihoodResult,
  RollingRequest,
  GenerateRequest,
  RequestHooks,
  PreflightProblem,
  PreflightQuery,
  GenerationDetail,
  ModelArgs,
  ModelFactory,
  ModelFactoryOptions,
} from '../model/types.ts';
export { JsonChatStr } from '../model/types.ts';
export { registerModel, getModelFactory, registeredModels } from '../model/registry.ts';
export { defineModelArgs, readModelArgs, modelArgError, modelArgsMarkdown, modelArgsHelp, type ModelArgSpec, type ModelArgsSchema, type ModelArgType, type ModelArgValues, type BatchSizeArg } from '../model/model-args.ts';
export { lmEvalEvents, createLogger, EventHub, type LmEvalEvent, type LogEvent, type PhaseEvent, type ProgressEvent, type EventLevel, type EventListener, type Logger } from '../log/events.ts';
export { LmEvalError } from '../errors.ts';
