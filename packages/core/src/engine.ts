/**
 * `@lm-eval/core/engine`: the evaluation run as the `lm-eval` CLI drives it (selection, output
 * files, sharding, validation, LLM-judge settings). Custom harnesses normally use `evaluate()`
 * from the root entry instead.
 * @module
 */
export {
  runEvaluation,
  type EvaluationRequest,
  type EvaluationOutput,
  type EnvironmentFacts,
  type LogLevel,
} from './evaluate/run-evaluation.ts';
export type { RunProgress } from './evaluate/run-requests.ts';
export { parseShard, shardFromEnv, inShard, shardOf, type ShardSpec } from './evaluate/shard.ts';
export { validateTasks, probePython, type ValidateOptions, type TaskCheck, type PythonStatus } from './evaluate/validate-task.ts';
export { serializeResults, modelNameOf, sanitizeModelName } from './report/output-files.ts';
export { taskHash } from './report/sample-record.ts';
export { makeTable, markdownTable } from './report/table.ts';
export { judgeModelSpecOf, publicJudgeArgs, DEFAULT_JUDGE_BACKEND, type JudgeModelSpec } from './evaluate/answers/judge-models.ts';
export { runLimited } from './util/limit.ts';
export { parseProfile, type Profile } from './compat.ts';
