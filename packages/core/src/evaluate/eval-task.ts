/**
 * A task ready to evaluate: prompts (TaskView + sampler), docs, request options, filters and
 * scoring. Built from a task config by evaluate/prepare-task.ts.
 */
import type { Profile } from '../compat.ts';
import type { GenKwargs } from '../model/types.ts';
import type { Doc, TaskView } from '../prompt/task-view.ts';
import type { FewshotSampler } from '../prompt/sampler.ts';
import type { PyRandom } from '../python/random.ts';
import type { ContextBasedHooks } from './run-requests.ts';
import type { Instance } from '../request/instance.ts';
import type { ResolvedAnswerMetric } from './answers/resolve.ts';
import type { AnswerDocFields } from './answers/score-answers.ts';

export interface FilterPipeline {
  name: string;
  apply(resps: unknown[][], docs: Doc[]): unknown[] | Promise<unknown[]>;
}

export type AggregationFn = (items: unknown[]) => unknown;

export interface MetricAggregation {
  /** registered aggregation name (decides the stderr method), or null for a custom function */
  name: string | null;
  fn: AggregationFn;
}

export interface EvalTask {
  name: string;
  profile: Profile;
  view: TaskView;
  /** the config as written to results `configs` (dumped before any request is built) */
  configDump: Record<string, unknown>;
  version: unknown;
  numFewshot: number;
  /** n-shot shown in results */
  nShot: unknown;
  evalDocs: Doc[];
  fewshotPool(): Doc[];
  makeSampler(rnd: PyRandom): FewshotSampler;
  samplerName: string;
  excludeEvalDoc: boolean;
  generationKwargs?: GenKwargs | null;
  repeats: number;
  mutualInfo: boolean;
  filters: FilterPipeline[];
  /** per-doc scoring: filtered results in idx order -> metric values */
  processResults(doc: Doc, results: unknown[]): Record<string, unknown>;
  aggregationFor(metric: string): MetricAggregation;
  /** higher_is_better per metric (results `higher_is_better`), in metric_list order */
  higherIsBetter: Record<string, boolean | null>;
  contextBased?: ContextBasedHooks;
  /** metrics scored on the generations after the model ran (judges, lengths, times) */
  answerMetrics?: ResolvedAnswerMetric[];
  /** the template variables answer metrics see for a doc (besides `output`) */
  answerFields?: (doc: Doc) => AnswerDocFields;
  /** generate_until repeat r is sent with `seed: repeatSeed + r` (task metadata.repeat_seed) */
  repeatSeed?: number;
  /**
   * The task builds each selected doc's requests itself (Python `class:` tasks), instead of the
   * prompt builder; called once per task with the docs in order.
   */
  buildRequests?(selected: Array<[number, Doc]>, options: TaskRequestOptions): Promise<Instance[][]>;
  /** The task filters every instance itself (sets `filteredResps` of each pipeline), instead of `filters[].apply`. */
  applyFilters?(instances: Instance[]): Promise<void>;
  /** task group memberships are handled by the caller */
}

/** What the run decides about a task's prompts (for {@link EvalTask.buildRequests}). */
export interface TaskRequestOptions {
  fewshotSeed: number | null;
  systemInstruction?: string | null;
  applyChatTemplate: boolean;
  fewshotAsMultiturn: boolean;
}
