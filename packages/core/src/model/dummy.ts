/**
 * The deterministic `dummy` model (packages/core/test/fixtures/oracle/README.md): every answer
 * depends only on the request strings, through FNV-1a 32-bit hashes. It reproduces the model
 * the conformance fixtures were produced with, and lets anyone run the pipeline without a model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  ChatMessage,
  ChatTemplateOptions,
  GenerateRequest,
  LM,
  LoglikelihoodRequest,
  LoglikelihoodResult,
  ModelArgs,
  RequestHooks,
  RollingRequest,
} from './types.ts';
import { renderChatTemplate } from './chat-template.ts';
import { defineModelArgs, modelArgError, readModelArgs } from './model-args.ts';

const GEN = [
  ' A',
  ' B\n\nextra',
  'C',
  ' 42',
  'The answer is 7.',
  ' Да',
  ' нет',
  '1',
  'Ответ: 3 + 4 = 7.\n#### 7',
  ' Paris\nQuestion: what next?',
];

const encoder = new TextEncoder();

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function contextText(context: unknown): string {
  return typeof context === 'string' ? context : String((context as string[])[0]);
}

export function dummyLoglikelihood(context: string, continuation: string): LoglikelihoodResult {
  const h = fnv1a32(context + '\u0000' + continuation);
  return [-(h % 100000) / 10000, h % 3 === 0];
}

export function dummyGenerate(context: string, genKwargs: Record<string, unknown>): string {
  let text = GEN[fnv1a32(context) % 10];
  const until = genKwargs.until;
  const stops = typeof until === 'string' ? [until] : Array.isArray(until) ? (until as string[]) : [];
  for (const stop of stops) {
    if (!stop) continue;
    const at = text.indexOf(stop);
    if (at >= 0) text = text.slice(0, at);
  }
  return text;
}

/** `--model_args` of `--model dummy`. */
export const DUMMY_MODEL_ARGS = defineModelArgs('dummy', [
  { name: 'chat_template_path', type: 'str', description: 'a Jinja chat template file used by --apply_chat_template.' },
  { name: 'pretrained', type: 'str', description: 'recorded only (names the output folder).' },
  { name: 'model', type: 'str', description: 'recorded only.' },
  { name: 'trust_remote_code', type: 'bool', default: false, description: 'ignored.' },
] as const);

/** Answers every request in order, honouring `hooks` (an aborted signal rejects with its reason). */
function answerAll<R, V>(requests: R[], hooks: RequestHooks | undefined, answer: (r: R) => V): V[] {
  const signal = hooks?.signal;
  return requests.map((r, i) => {
    signal?.throwIfAborted();
    const v = answer(r);
    hooks?.onResult?.(i, v);
    signal?.throwIfAborted();
    return v;
  });
}

export class DummyLM implements LM {
  readonly name = 'dummy';
  private readonly template?: string;

  constructor(private readonly args: ModelArgs = {}) {
    const p = readModelArgs(DUMMY_MODEL_ARGS, args).chat_template_path;
    if (p) {
      try {
        this.template = readFileSync(path.resolve(p), 'utf8');
      } catch {
        throw modelArgError('dummy', 'chat_template_path', p, 'a readable Jinja chat template file');
      }
    }
  }

  async loglikelihood(requests: LoglikelihoodRequest[], hooks?: RequestHooks): Promise<LoglikelihoodResult[]> {
    return answerAll(requests, hooks, (r) => dummyLoglikelihood(contextText(r.context), r.continuation));
  }

  async loglikelihoodRolling(requests: RollingRequest[], hooks?: RequestHooks): Promise<number[]> {
    return answerAll(requests, hooks, (r) => -(fnv1a32(r.text) % 1000000) / 1000);
  }

  async generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]> {
    return answerAll(requests, hooks, (r) => dummyGenerate(contextText(r.context), r.genKwargs));
  }

  get applyChatTemplate(): LM['applyChatTemplate'] {
    if (this.template === undefined) return undefined;
    return (messages: ChatMessage[], options: ChatTemplateOptions) =>
      renderChatTemplate(this.template!, messages, {
        addGenerationPrompt: options.addGenerationPrompt,
        continueFinalMessage: !options.addGenerationPrompt,
        variables: { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
      });
  }

  chatTemplate(): string | null {
    return this.template ?? null;
  }

  cacheIdentity(): Record<string, unknown> {
    return { model: 'dummy', chat_template_path: this.args.chat_template_path ?? null };
  }
}

export function createDummyModel(args: ModelArgs): LM {
  return new DummyLM(args);
}
