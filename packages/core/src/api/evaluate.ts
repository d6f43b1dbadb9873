/**
 * `evaluate()`: the entry point for custom harnesses (lm-eval's `simple_evaluate`). Runs the tasks
 * on a model — a registered backend name or any object implementing {@link LM} — and returns typed
 * {@link Results} with plain JS numbers, the typed sample records, the printed summary and the
 * files written. Logs, phases and progress arrive through `onEvent`; nothing is printed.
 */
import type { Profile } from '../compat.ts';
import type { EnvironmentFacts } from '../evaluate/environment.ts';
import { runEvaluation, type EvaluationOutput, type EvaluationRequest } from '../evaluate/run-evaluation.ts';
import { lmEvalEvents, type EventLevel, type LmEvalEvent } from '../log/events.ts';
import type { LM, ModelArgs } from '../model/types.ts';
import type { Registry } from '../registry/registry.ts';
import { toPlain, type Results, type SampleRecord } from './results.ts';

export interface EvaluateOptions {
  /** A backend name registered with `registerModel` (`hf`, `local-completions`, ...) or your own {@link LM}. */
  model: string | LM;
  /**
   * Where model, metric, aggregation, filter and sampler names are looked up: a registry from
   * `createRegistry()` with your own entries (default: the process-wide registry).
   */
  registry?: Registry;
  /** Backend arguments (`--model_args`), e.g. `{ pretrained: 'models/stories260k' }`. */
  modelArgs?: ModelArgs;
  /** Task, group or tag names (globs allowed), task YAML paths or folders. */
  tasks: string[];
  /** Extra folders of task YAML files (`--include_path`). */
  includePath?: string[];
  /** Behaviour profile; default: `0.4.4` when every task comes from a 0.4.4-pinned folder, else `latest`. */
  profile?: Profile;
  numFewshot?: number;
  /** Documents per task: a count, or a fraction below 1 (for testing only). */
  limit?: number | null;
  batchSize?: number | string;
  /** Generation arguments added to every generate_until request (`--gen_kwargs`). */
  genKwargs?: Record<string, unknown> | null;
  systemInstruction?: string | null;
  applyChatTemplate?: boolean | string;
  fewshotAsMultiturn?: boolean;
  /** Keep the per-document sample records (also written under `outputPath`). Default true. */
  logSamples?: boolean;
  /** Write `results_<date>.json` (and samples files) under this folder; default: nothing written. */
  outputPath?: string | null;
  /** Response cache path prefix (`--use_cache`). */
  useCache?: string | null;
  bootstrapIters?: number;
  /** Python/NumPy/torch/few-shot seeds (lm-eval defaults 0, 1234, 1234, 1234). */
  seeds?: EvaluationRequest['seeds'];
  /** Allow tasks whose metrics execute model-generated code. */
  confirmRunUnsafeCode?: boolean;
  /** Facts recorded in the results (versions, git hash, default device). */
  environment?: EnvironmentFacts;
  /** Receives logs, phases and progress of this evaluation and of the library code it runs. */
  onEvent?: (event: LmEvalEvent) => void;
  signal?: AbortSignal;
  cwd?: string;
}

export interface EvaluateResult {
  results: Results;
  /** Per task, the sample records (empty with `logSamples: false`). */
  samples: Record<string, SampleRecord[]>;
  /** The header line and table(s) lm-eval prints. */
  summary: string;
  /** Files written under `outputPath`. */
  files: string[];
  profile: Profile;
}

const LEVELS: Record<string, EventLevel> = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARNING', ERROR: 'ERROR', CRITICAL: 'ERROR' };

/** Evaluates `options.tasks` on `options.model` (see {@link EvaluateOptions}). */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { onEvent, modelArgs, logSamples, ...rest } = options;
  const emit = onEvent ?? (() => {});
  const request: EvaluationRequest = {
    ...rest,
    modelArgs: modelArgs ?? {},
    logSamples: logSamples ?? true,
    log: (level, message) => emit({ type: 'log', level: LEVELS[level] ?? 'INFO', source: 'core', message }),
    onPhase: (phase) => emit({ type: 'phase', source: 'core', phase }),
    onProgress: (p) => emit({ type: 'progress', source: 'core', label: `${p.requestType} requests`, done: p.done, total: p.total }),
  };
  // backends emit through the process-wide hub while this evaluation runs
  const unsubscribe = onEvent ? lmEvalEvents.subscribe(onEvent) : () => {};
  let out: EvaluationOutput;
  try {
    out = await runEvaluation(request);
  } finally {
    unsubscribe();
  }
  return {
    results: toPlain(out.results) as Results,
    samples: toPlain(out.samples) as Record<string, SampleRecord[]>,
    summary: out.summary,
    files: out.files,
    profile: out.profile,
  };
}

/** The same as {@link evaluate}, under lm-eval's name. */
export const simpleEvaluate = evaluate;
