/**
 * A task's few-shot examples (lm-eval's `ConfigurableTask.fewshot_docs` and sampler set-up): the
 * pool they are drawn from, the sampler class, and whether the pool is large enough.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { callPython, isPythonCallable } from '../pyfn/index.ts';
import { pythonSampler } from '../pyfn/sampler.ts';
import { getSampler, type FewshotSampler, type SamplerClass } from '../prompt/sampler.ts';
import type { Doc, TaskView } from '../prompt/task-view.ts';
import type { PyRandom } from '../python/random.ts';
import type { TaskConfig } from '../task/config.ts';
import type { DocSource } from './task-docs.ts';

type Config = Readonly<TaskConfig>;

export interface FewshotPool {
  docs: Doc[];
  /** where the pool comes from, for messages */
  description: string;
}

const fewshotConfig = (config: Config) => (config.fewshot_config ?? {}) as Record<string, unknown>;

/** The split few-shot examples come from ([latest] fewshot_config.split first), or null. */
export function fewshotSplitOf(config: Config, profile: Profile): string | null {
  if (profile === 'latest') return (fewshotConfig(config).split as string | null) ?? config.fewshot_split ?? null;
  return config.fewshot_split ?? null;
}

export interface PoolContext {
  name: string;
  profile: Profile;
  docs: DocSource;
  evalSplit: string;
  evalDocs: Doc[];
  warn?: (message: string) => void;
}

/**
 * The few-shot pool: the few-shot split, else fewshot_config.samples, else the training, else the
 * validation split, else (warned) the test split itself. Empty when no example is drawn.
 */
export async function fewshotPool(config: Config, numFewshot: number, ctx: PoolContext): Promise<FewshotPool> {
  if (numFewshot <= 0) return { docs: [], description: '' };
  const { name, profile, docs, evalSplit } = ctx;
  const ft = fewshotConfig(config);
  const split = fewshotSplitOf(config, profile);
  if (split) {
    if (split === config.test_split) ctx.warn?.(`task '${name}': the few-shot split is the test split '${split}'; each evaluated document is left out of its own examples`);
    return { docs: await docs(split, profile === 'latest' ? (ft.process_docs ?? config.process_docs) : config.process_docs), description: `split '${split}'` };
  }
  if (ft.samples !== null && ft.samples !== undefined) return { docs: await listedSamples(ft.samples), description: 'fewshot_config.samples' };
  if (config.training_split) return { docs: await docs(config.training_split, config.process_docs), description: `split '${config.training_split}'` };
  if (config.validation_split) return { docs: await docs(config.validation_split, config.process_docs), description: `split '${config.validation_split}'` };
  // lm-eval's Task.fewshot_docs warns the same way ("using test_docs as fewshot_docs but this is not recommended")
  ctx.warn?.(`task '${name}': no few-shot split; drawing few-shot examples from the test split '${evalSplit}' (not recommended: scores can be optimistic)`);
  return { docs: ctx.evalDocs, description: `split '${evalSplit}' (the test split, used because the task has no few-shot split)` };
}

/** fewshot_config.samples: a list, or a function returning one. */
async function listedSamples(samples: unknown): Promise<Doc[]> {
  if (isPythonCallable(samples)) return (await callPython(samples, [])) as Doc[];
  return (typeof samples === 'function' ? await samples() : samples) as Doc[];
}

export interface FewshotSamplerChoice {
  /** the registered name, or the class's name */
  samplerName: string;
  /** a sampler over the pool for the task's view, drawing with `rnd` */
  make(rnd: PyRandom, view: TaskView): FewshotSampler;
}

export interface SamplerContext {
  name: string;
  profile: Profile;
  pool: FewshotPool;
  excludeEvalDoc: boolean;
}

/**
 * fewshot_config.sampler (default `default`): a registered name, a TypeScript class, or a Python
 * class run in the helper worker.
 */
export async function fewshotSampler(config: Config, ctx: SamplerContext): Promise<FewshotSamplerChoice> {
  const spec = fewshotConfig(config).sampler ?? 'default';
  if (isPythonCallable(spec)) {
    const make = await pythonSampler(spec, { task: ctx.name, profile: ctx.profile, pool: ctx.pool.docs, excludeEvalDoc: ctx.excludeEvalDoc });
    return { samplerName: (spec as { name: string }).name, make };
  }
  const samplerClass: SamplerClass = typeof spec === 'function' ? (spec as unknown as SamplerClass) : getSampler(String(spec), `task '${ctx.name}': fewshot_config.sampler`);
  const samplerName = typeof spec === 'function' ? spec.name : String(spec);
  return { samplerName, make: (rnd, view) => new samplerClass({ docs: ctx.pool.docs, task: view, rnd }) };
}

/**
 * The default sampler draws with random.sample, which refuses more than the pool holds (one
 * extra is drawn when the evaluated doc is left out of its own examples).
 */
export function checkPoolSize(pool: FewshotPool, numFewshot: number, samplerName: string, excludeEvalDoc: boolean, name: string): void {
  if (numFewshot <= 0 || samplerName !== 'default') return;
  const needed = numFewshot + (excludeEvalDoc ? 1 : 0);
  if (pool.docs.length >= needed) return;
  throw new LmEvalError(
    `task '${name}': ${numFewshot} few-shot examples need ${needed} documents${excludeEvalDoc ? ' (one extra is drawn to leave out the evaluated document)' : ''}, but the few-shot pool, ${pool.description}, has ${pool.docs.length}`,
    'lower --num_fewshot (or num_fewshot in the YAML), or set fewshot_split to a larger split',
  );
}
