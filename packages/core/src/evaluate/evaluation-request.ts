/**
 * What {@link runEvaluation} is asked (the options of lm-eval's `simple_evaluate` plus the CLI's
 * output and logging settings) and what it returns.
 */
import type { Profile } from '../compat.ts';
import type { LM, ModelArgs, ModelFactory } from '../model/types.ts';
import type { Registry } from '../registry/registry.ts';
import type { JudgeModelSpec } from './answers/judge-models.ts';
import type { EnvironmentFacts } from './environment.ts';
import type { RunProgress } from './run-requests.ts';
import type { ShardSpec } from './shard.ts';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface EvaluationRequest {
  /** backend name (registered with registerModel) or an LM object */
  model: string | LM;
  /**
   * where the run looks up model, metric, aggregation, filter and sampler names (default: the
   * process-wide registry; see createRegistry)
   */
  registry?: Registry;
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
