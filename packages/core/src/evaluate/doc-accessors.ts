/**
 * The doc_to_* accessors a task's prompts read (lm-eval's `ConfigurableTask.doc_to_text` & co.):
 * those of the evaluated doc, those of few-shot examples (fewshot_config overrides), and the
 * {@link TaskView} the prompt builder and samplers see.
 */
import type { Profile } from '../compat.ts';
import { isPending, mapBatched } from '../pyfn/index.ts';
import type { Doc, DocAccessors, TaskView } from '../prompt/task-view.ts';
import type { TaskConfig } from '../task/config.ts';
import type { DocFormatter } from '../task/doc-to.ts';

type Config = Readonly<TaskConfig>;

/** Whether the task has choices (doc_to_choice set). */
export function hasChoices(config: Config): boolean {
  return config.doc_to_choice !== null && config.doc_to_choice !== undefined;
}

export function taskAccessors(formatter: DocFormatter, config: Config, profile: Profile): DocAccessors {
  return {
    docToText: (doc) => formatter.docToText(doc),
    docToTarget: lastDocMemo(() => config.doc_to_target, (doc) => formatter.docToTarget(doc)),
    docToChoice: lastDocMemo(
      () => config.doc_to_choice,
      (doc) => (hasChoices(config) ? (formatter.docToChoice(doc) as unknown[]) : undefined),
    ),
    genPrefix: (doc) => (profile === 'latest' ? formatter.genPrefix(doc) : undefined),
  };
}

/**
 * A doc accessor that answers a repeated call on the same doc from its last result, when the
 * config's spec is a template or column name (a pure function of the doc) and unchanged since.
 * The prompt builder and the scorer read doc_to_choice / doc_to_target several times per doc in a
 * row; one entry is enough for that and holds nothing per doc. Function specs (which may not be
 * pure) and errors are not remembered.
 */
function lastDocMemo<T>(spec: () => unknown, compute: (doc: Doc) => T): (doc: Doc) => T {
  let lastDoc: Doc | undefined;
  let lastSpec: unknown;
  let lastValue: T;
  return (doc) => {
    const s = spec();
    if (typeof s !== 'string') return compute(doc);
    if (doc === lastDoc && s === lastSpec) return lastValue;
    lastDoc = undefined;
    const value = compute(doc);
    lastDoc = doc;
    lastSpec = s;
    lastValue = value;
    return value;
  };
}

/** fewshot_config's value of `key` when set (not null). */
export function fewshotOverride(config: Config, key: string): unknown {
  const v = (config.fewshot_config as Record<string, unknown> | null | undefined)?.[key];
  return v !== null && v !== undefined ? v : undefined;
}

/**
 * Accessors of few-shot examples. latest: the FewshotConfig dataclass always carries the values
 * (copied from the task); they are static, so they are read through the formatter with an
 * explicit spec. The config is read at each call: a sampler may change it (MERA's do).
 */
export function fewshotAccessors(formatter: DocFormatter, config: Config, profile: Profile): DocAccessors {
  const over = (key: string) => fewshotOverride(config, key);
  const ownText = () => over('doc_to_text') !== undefined && !(profile === 'latest' && over('doc_to_text') === config.doc_to_text);
  return {
    docToText: (doc) => (ownText() ? formatter.docToText(doc, over('doc_to_text')) : formatter.docToText(doc)),
    docToTarget: (doc) => (over('doc_to_target') !== undefined ? formatter.docToTarget(doc, over('doc_to_target')) : formatter.docToTarget(doc)),
    docToChoice: (doc) =>
      over('doc_to_choice') !== undefined ? (formatter.docToChoice(doc, over('doc_to_choice')) as unknown[]) : hasChoices(config) ? (formatter.docToChoice(doc) as unknown[]) : undefined,
    genPrefix: (doc) => (profile === 'latest' ? formatter.genPrefix(doc, over('gen_prefix') ?? config.gen_prefix) : undefined),
  };
}

export interface ViewParts {
  name: string;
  profile: Profile;
  /** the run's copy of the config (MERA's v0.4.4 samplers change `doc_to_text` in it, as in Python) */
  config: TaskConfig;
  formatter: DocFormatter;
  task: DocAccessors;
  fewshot: DocAccessors;
  /** a document of the evaluated split: decides whether inputs/targets are multiple */
  firstDoc: Doc;
}

export function taskView({ name, profile, config, formatter, task, fewshot, firstDoc }: ViewParts): TaskView {
  const shape = formatter.detectShape(firstDoc);
  const latest = profile === 'latest';
  return {
    name,
    profile,
    config: config as unknown as Record<string, unknown>,
    outputType: config.output_type,
    task,
    fewshot,
    description: (doc) => formatter.description(doc),
    targetDelimiter: config.target_delimiter,
    fewshotDelimiter: config.fewshot_delimiter,
    fewshotTargetDelimiter: latest ? ((fewshotOverride(config, 'target_delimiter') as string) ?? config.target_delimiter) : config.target_delimiter,
    fewshotFewshotDelimiter: latest ? ((fewshotOverride(config, 'fewshot_delimiter') as string) ?? config.fewshot_delimiter) : config.fewshot_delimiter,
    multipleInput: shape.multipleInput > 0,
    multipleTarget: shape.multipleTarget > 0,
    renderDocToText: (spec, doc) => formatter.docToText(doc, spec),
  };
}

/**
 * Runs every doc_to_* accessor on `docs` so that their Python calls are answered in one batch
 * per function (the prompt builder then reads the results synchronously). Errors are not raised
 * here: a call that fails raises again where it is used.
 */
export async function prefetchDocTo(acc: DocAccessors, docs: readonly Doc[]): Promise<void> {
  const jobs: Array<() => unknown> = [];
  for (const d of docs) jobs.push(() => acc.docToText(d), () => acc.docToTarget(d), () => acc.docToChoice(d), () => acc.genPrefix(d));
  await mapBatched(jobs, (job) => {
    try {
      return job();
    } catch (e) {
      if (isPending(e)) throw e;
      return undefined;
    }
  });
}
