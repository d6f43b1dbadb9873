/**
 * The library API of @lm-eval/core for custom harnesses: evaluate tasks on a registered backend
 * or your own {@link LM}, read typed results and sample records, access tasks, register your own
 * backends, metrics, aggregations and filters, declare model arguments, receive events.
 *
 * Building blocks for advanced use live behind explicit subpaths: `@lm-eval/core/engine` (the
 * CLI's run), `/tasks` (task index, YAML, prompts), `/models` (backend toolkit), `/metrics`
 * (metrics, aggregations, filters, stderrs, group aggregation), `/python` (Python value
 * semantics for task helpers), `/cache` (response cache), `/testing` (backend tests).
 * Names that task YAML and the CLI use (`--model`, metrics, aggregations, filters, samplers) are
 * looked up in a {@link Registry}; {@link createRegistry} makes one of your own whose entries only
 * the evaluations and task managers given it see:
 *
 * ```ts
 * const registry = createRegistry().registerMetric({
 *   name: 'my_score', higherIsBetter: true, aggregation: 'mean', outputTypes: ['generate_until'],
 *   compute: ({ references, predictions }) => (predictions[0] === references[0] ? 1 : 0),
 * });
 * const { results } = await evaluate({ model: lm, tasks: ['my_task'], includePath: ['my-tasks'], registry });
 * ```
 *
 * docs/api/ is generated from this module (`pnpm docs:api`).
 * @module
 */

// Evaluating and its results
export { evaluate, simpleEvaluate, type EvaluateOptions, type EvaluateResult } from './api/evaluate.ts';
export { toPlain, type Results, type TaskResult, type SampleRecord, type SampleCounts } from './api/results.ts';
export type { EnvironmentFacts } from './evaluate/environment.ts';
export type { Profile } from './compat.ts';
export { PROFILES } from './compat.ts';

// Tasks
export { TaskManager, type TaskManagerOptions, type BuildRequestsOptions } from './api/task-manager.ts';
export type { LoadedTasks } from './task/group.ts';
export type { EvalTask } from './evaluate/eval-task.ts';
export type { Doc } from './prompt/task-view.ts';
export type { Instance, RequestType, RequestArguments } from './request/instance.ts';

// Models: the LM interface, its requests and answers, registering a backend
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
} from './model/types.ts';
export { JsonChatStr } from './model/types.ts';
export { registerModel, getModelFactory, registeredModels } from './model/registry.ts';
export {
  defineModelArgs,
  readModelArgs,
  modelArgError,
  modelArgsMarkdown,
  modelArgsHelp,
  type ModelArgSpec,
  type ModelArgsSchema,
  type ModelArgType,
  type ModelArgValues,
  type BatchSizeArg,
} from './model/model-args.ts';

// Registries: the names YAML and the CLI use. createRegistry() gives one of your own for
// evaluate({ registry }) / new TaskManager({ registry }); the register* functions register process-wide.
export { Registry, createRegistry, defaultRegistry } from './registry/registry.ts';
export type { NameTable } from './registry/name-table.ts';
export type { FewshotSampler, SamplerClass, SamplerInit } from './prompt/sampler.ts';
export { registerMetric } from './evaluate/metrics/registry.ts';
export type { MetricDef, MetricImpl, MetricCallArgs } from './evaluate/metrics/types.ts';
export { registerAggregation } from './evaluate/aggregations/registry.ts';
export type { AggregationDef, CustomAggregationFn } from './evaluate/aggregations/types.ts';
export { registerFilter } from './evaluate/filters/registry.ts';
export type { Filter, FilterContext, FilterDoc, FilterFactory } from './evaluate/filters/filter.ts';

// Errors a caller catches
export { LmEvalError, LmEvalErrors, errorText } from './errors.ts';
export { DatasetNotFoundError, SplitNotFoundError } from './data/errors.ts';

// Events and logging
export {
  lmEvalEvents,
  createLogger,
  EventHub,
  type LmEvalEvent,
  type LogEvent,
  type PhaseEvent,
  type ProgressEvent,
  type EventLevel,
  type EventListener,
  type Logger,
} from './log/events.ts';

export { version } from './version.ts';
