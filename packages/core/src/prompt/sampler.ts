/**
 * Few-shot samplers (lm_eval/api/samplers.py `get_sampler`). Registry keyed by the YAML names of
 * `fewshot_config.sampler`; a `!function` class is used as is.
 *
 * - latest API: `sample(n, evalDoc)` returns the docs.
 * - v0.4.4 API (MERA's custom samplers): optional `getContext(doc, k)` returning the few-shot text
 *   block and `getChatContext(doc, k, multiturn)` returning chat messages.
 */
import type { PyRandom } from '../python/random.ts';
import type { ChatMessage } from '../model/types.ts';
import type { Doc, TaskView } from './task-view.ts';
import { LmEvalError } from '../errors.ts';
import { defaultRegistry } from '../registry/registry.ts';
import { activeRegistry } from '../registry/active.ts';

export interface SamplerInit {
  docs: Doc[];
  task: TaskView;
  rnd: PyRandom;
}

export interface FewshotSampler {
  sample(n: number, evalDoc: Doc): Doc[];
  getContext?(doc: Doc, k: number): string;
  getChatContext?(doc: Doc, k: number, multiturn: boolean): ChatMessage[];
}

export type SamplerClass = new (init: SamplerInit) => FewshotSampler;

export class DefaultSampler implements FewshotSampler {
  readonly docs: Doc[];
  readonly task: TaskView;
  readonly rnd: PyRandom;
  constructor(init: SamplerInit) {
    this.docs = init.docs;
    this.task = init.task;
    this.rnd = init.rnd;
  }
  sample(n: number, _evalDoc: Doc): Doc[] {
    return this.rnd.sample(this.docs, n) as Doc[];
  }
}

export class FirstNSampler extends DefaultSampler {
  sample(n: number, _evalDoc: Doc): Doc[] {
    if (n > this.docs.length) {
      throw new LmEvalError(
        `task '${this.task.name}': first_n sampler needs ${n} few-shot docs but the pool has ${this.docs.length}`,
        'lower --num_fewshot or provide a larger few-shot split',
      );
    }
    return this.docs.slice(0, n);
  }
}

defaultRegistry.registerSampler('default', DefaultSampler).registerSampler('first_n', FirstNSampler);

/** Registers a `fewshot_config.sampler` name, process-wide (see `createRegistry` for a registry of your own). */
export function registerSampler(name: string, cls: SamplerClass): void {
  defaultRegistry.registerSampler(name, cls);
}

export function getSampler(name: string, where: string): SamplerClass {
  const samplers = activeRegistry().samplers;
  const cls = samplers.get(name);
  if (!cls) {
    throw new LmEvalError(
      `${where}: unknown few-shot sampler '${name}'`,
      `use one of ${samplers.names().join(', ')} or a !function class`,
    );
  }
  return cls;
}
