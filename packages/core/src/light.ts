/**
 * `@lm-eval/core/light`: a light entry point for commands that only index tasks — `lm-eval ls`
 * and `lm-eval validate` — and for backends' model-argument readers, so they start without
 * loading the evaluator, the template engines, the Hub client or SQLite.
 * @module
 */
export { LmEvalError, LmEvalErrors, errorText } from './errors.ts';
export type { Profile } from './compat.ts';
export { PROFILES } from './compat.ts';
export { TaskIndex, defaultTasksDir, type IndexEntry, type IndexKind, type TaskIndexOptions } from './task/index.ts';
export { markdownTable } from './report/table.ts';
export { createLogger, EventHub, lmEvalEvents, type EventLevel, type EventListener, type LmEvalEvent, type LogEvent, type Logger, type PhaseEvent, type ProgressEvent } from './log/events.ts';
export {
  defineModelArgs,
  modelArgError,
  readModelArgs,
  modelArgsMarkdown,
  modelArgsHelp,
  type ModelArgType,
  type BatchSizeArg,
  type ModelArgSpec,
  type ModelArgsSchema,
  type ModelArgValues,
} from './model/model-args.ts';
export type { ModelArgs, ModelFactoryOptions } from './model/types.ts';
export { closest, editDistance } from './util/suggest.ts';
export { setHelperImportPreparation } from './task/helper-import.ts';
