/**
 * Small hand-built TaskView / EvalTask / LM doubles for the prompt and request tests
 * (prompts-*.test.ts). Accessors mimic a YAML task with
 * `doc_to_text: "Question: {{q}}\nAnswer:"`, `doc_to_target: "{{a}}"` (the raw `a` value, so
 * ints and lists pass through as lm-eval's doc_to_target would return them).
 */
import type { ChatMessage, ChatTemplateOptions, Context, LM } from '../src/model/types.ts';
import type { Doc, DocAccessors, TaskView } from '../src/prompt/task-view.ts';
import type { Profile } from '../src/compat.ts';
import type { EvalTask, FilterPipeline } from '../src/evaluate/eval-task.ts';
import { DefaultSampler, FirstNSampler, type SamplerClass } from '../src/prompt/sampler.ts';
import type { ContextOptions } from '../src/prompt/context.ts';

export interface ViewSpec {
  profile?: Profile;
  outputType?: TaskView['outputType'];
  docToText?: (doc: Doc) => unknown;
  docToTarget?: (doc: Doc) => unknown;
  docToChoice?: ((doc: Doc) => unknown[]) | null;
  /** latest: gen_prefix (static string, as a task YAML would have it) */
  genPrefix?: string;
  description?: string;
  targetDelimiter?: string;
  fewshotDelimiter?: string;
  fewshotTargetDelimiter?: string;
  fewshotFewshotDelimiter?: string;
  multipleInput?: boolean;
  fewshot?: Partial<DocAccessors>;
  config?: Record<string, unknown>;
}

export const qText = (doc: Doc): unknown => `Question: ${String(doc.q)}\nAnswer:`;

export function makeView(spec: ViewSpec = {}): TaskView {
  const profile = spec.profile ?? 'latest';
  const docToChoice = spec.docToChoice ?? undefined;
  const task: DocAccessors = {
    docToText: spec.docToText ?? qText,
    docToTarget: spec.docToTarget ?? ((d) => d.a),
    docToChoice: (d) => (docToChoice ? docToChoice(d) : undefined),
    genPrefix: () => (profile === 'latest' ? spec.genPrefix : undefined),
  };
  const config: Record<string, unknown> = {
    doc_to_choice: docToChoice ? 'choices' : null,
    ...(profile === 'latest' && spec.genPrefix !== undefined ? { gen_prefix: spec.genPrefix } : {}),
    ...(spec.config ?? {}),
  };
  return {
    name: 'demo',
    profile,
    config,
    outputType: spec.outputType ?? 'generate_until',
    task,
    fewshot: { ...task, ...(spec.fewshot ?? {}) },
    description: () => spec.description ?? '',
    targetDelimiter: spec.targetDelimiter ?? ' ',
    fewshotDelimiter: spec.fewshotDelimiter ?? '\n\n',
    fewshotTargetDelimiter: spec.fewshotTargetDelimiter ?? spec.targetDelimiter ?? ' ',
    fewshotFewshotDelimiter: spec.fewshotFewshotDelimiter ?? spec.fewshotDelimiter ?? '\n\n',
    multipleInput: spec.multipleInput ?? false,
    multipleTarget: false,
    renderDocToText: (_s, d) => task.docToText(d),
  };
}

/** A sampler that returns a fixed list of shots (and records the calls). */
export function fixedSampler(shots: Doc[]) {
  const calls: Array<[number, Doc]> = [];
  return {
    calls,
    sample(n: number, evalDoc: Doc): Doc[] {
      calls.push([n, evalDoc]);
      return shots.slice(0, n);
    },
  };
}

export function plainOptions(over: Partial<ContextOptions> = {}): ContextOptions {
  return {
    numFewshot: 0,
    systemInstruction: null,
    applyChatTemplate: false,
    fewshotAsMultiturn: false,
    excludeEvalDoc: false,
    ...over,
  };
}

/** An LM whose chat template records the messages and renders them in a readable form. */
export class RecordingChatLM implements LM {
  readonly name = 'recording';
  readonly calls: Array<{ messages: ChatMessage[]; addGenerationPrompt: boolean }> = [];
  async loglikelihood(): Promise<[number, boolean][]> {
    throw new Error('not used');
  }
  async loglikelihoodRolling(): Promise<number[]> {
    throw new Error('not used');
  }
  async generateUntil(): Promise<string[]> {
    throw new Error('not used');
  }
  applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions): Context {
    this.calls.push({ messages: messages.map((m) => ({ ...m })), addGenerationPrompt: options.addGenerationPrompt });
    return messages.map((m) => `<${m.role}>${m.content}`).join('') + (options.addGenerationPrompt ? '<assistant>' : '');
  }
}

/** An LM that answers every request from the request itself and records what it was sent. */
export class EchoLM implements LM {
  readonly name = 'echo';
  readonly sent: Array<{ type: string; args: unknown[] }> = [];
  async loglikelihood(reqs: Array<{ context: Context; continuation: string }>): Promise<[number, boolean][]> {
    return reqs.map((r, i) => {
      this.sent.push({ type: 'loglikelihood', args: [r.context, r.continuation] });
      return [-(i + 1), false];
    });
  }
  async loglikelihoodRolling(reqs: Array<{ text: string }>): Promise<number[]> {
    return reqs.map((r, i) => {
      this.sent.push({ type: 'loglikelihood_rolling', args: [r.text] });
      return -i;
    });
  }
  async generateUntil(reqs: Array<{ context: Context; genKwargs: Record<string, unknown> }>): Promise<string[]> {
    return reqs.map((r, i) => {
      this.sent.push({ type: 'generate_until', args: [r.context, r.genKwargs] });
      return `gen${i}`;
    });
  }
}

const takeFirst: FilterPipeline = { name: 'none', apply: (resps) => resps.map((r) => r[0]) };

export interface EvalTaskSpec {
  name?: string;
  view?: TaskView;
  evalDocs: Doc[];
  pool?: Doc[];
  numFewshot?: number;
  sampler?: SamplerClass;
  excludeEvalDoc?: boolean;
  repeats?: number;
  mutualInfo?: boolean;
  generationKwargs?: Record<string, unknown>;
}

/** A minimal EvalTask: scoring records one dummy metric per doc. */
export function makeEvalTask(spec: EvalTaskSpec): EvalTask {
  const view = spec.view ?? makeView();
  const pool = spec.pool ?? [];
  const samplerClass = spec.sampler ?? DefaultSampler;
  return {
    name: spec.name ?? view.name,
    profile: view.profile,
    view: { ...view, name: spec.name ?? view.name },
    configDump: {},
    version: 'Yaml',
    numFewshot: spec.numFewshot ?? 0,
    nShot: spec.numFewshot ?? 0,
    evalDocs: spec.evalDocs,
    fewshotPool: () => pool,
    makeSampler: (rnd) => new samplerClass({ docs: pool, task: view, rnd }),
    samplerName: samplerClass === FirstNSampler ? 'first_n' : 'default',
    excludeEvalDoc: spec.excludeEvalDoc ?? false,
    generationKwargs: spec.generationKwargs ?? { until: ['\n'] },
    repeats: spec.repeats ?? 1,
    mutualInfo: spec.mutualInfo ?? false,
    filters: [takeFirst],
    processResults: () => ({ seen: 1 }),
    aggregationFor: () => ({ name: 'mean', fn: (items) => items.length }),
    higherIsBetter: { seen: true },
  };
}
