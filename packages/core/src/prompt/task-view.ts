/**
 * What prompt construction needs to know about one task at run time: resolved doc_to_*
 * accessors (task-level and few-shot-level), delimiters, and the few-shot sampler.
 * The evaluator builds one per task (evaluate/task-runtime.ts).
 */
import type { Profile } from '../compat.ts';

export type Doc = Record<string, unknown>;

export interface DocAccessors {
  docToText(doc: Doc): unknown;
  docToTarget(doc: Doc): unknown;
  /** undefined when the task has no doc_to_choice */
  docToChoice(doc: Doc): unknown[] | undefined;
  /** latest: rendered gen_prefix, or undefined */
  genPrefix(doc: Doc): string | undefined;
}

export interface TaskView {
  readonly name: string;
  readonly profile: Profile;
  /** The task config (resolved). MERA's v0.4.4 samplers mutate `doc_to_text` in it. */
  readonly config: Record<string, unknown>;
  readonly outputType: 'loglikelihood' | 'loglikelihood_rolling' | 'multiple_choice' | 'generate_until';
  /** accessors of the evaluated doc */
  readonly task: DocAccessors;
  /** accessors used for few-shot examples (fewshot_config overrides) */
  readonly fewshot: DocAccessors;
  description(doc: Doc): string;
  readonly targetDelimiter: string;
  readonly fewshotDelimiter: string;
  /** latest: fewshot_config.target_delimiter / fewshot_delimiter (default: the task's) */
  readonly fewshotTargetDelimiter: string;
  readonly fewshotFewshotDelimiter: string;
  readonly multipleInput: boolean;
  readonly multipleTarget: boolean;
  /** Render a template (or column name) against a doc the way doc_to_text does. */
  renderDocToText(spec: unknown, doc: Doc): unknown;
}
