/**
 * Deterministic in-process models for answer and judge tests: replies are fixed functions of the
 * prompt, so every score is exactly predictable.
 *
 *  - {@link ScriptedAnswerer}: answers a prompt with the prompt itself, `ASK:` rewritten to
 *    `JUDGE:`, followed by ` #<seed>` (the request's gen_kwargs seed, else 0). It reports a
 *    reasoning `thinking: <prompt>`, finish reason `stop`, prompt tokens = words of the prompt,
 *    completion tokens = words of the answer and a latency of 0.25 s.
 *  - {@link ScriptedJudge}: replies with the word after the last `JUDGE:` of the prompt; the word
 *    `parity` is replaced by the last `#<n>` of the prompt modulo 2. No `JUDGE:` → `no verdict`.
 *    It reports the reasoning `judged <word>`.
 */
import type { Context, GenerateRequest, LM, LoglikelihoodResult, RequestHooks } from '../model/types.ts';
import { JsonChatStr } from '../model/types.ts';
import { LmEvalError } from '../errors.ts';

/** The text of a prompt: a plain string, or the last message of a JSON chat. */
export function promptText(context: Context): string {
  if (!(context instanceof JsonChatStr)) return context;
  const messages = JSON.parse(context.prompt) as Array<{ content: string }>;
  return messages[messages.length - 1].content;
}

const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;

/** The scripted judge's reply to a prompt. */
export function scriptedVerdict(prompt: string): string {
  const all = [...prompt.matchAll(/JUDGE:(\S+)/g)];
  if (all.length === 0) return 'no verdict';
  const word = all[all.length - 1][1];
  if (word !== 'parity') return word;
  const seeds = [...prompt.matchAll(/#(\d+)/g)];
  return seeds.length ? String(Number(seeds[seeds.length - 1][1]) % 2) : 'no seed';
}

abstract class Scripted implements LM {
  /** every prompt received, in order */
  readonly prompts: string[] = [];
  constructor(readonly name: string) {}
  abstract reply(prompt: string, request: GenerateRequest): string;
  abstract detail(prompt: string, reply: string): Record<string, unknown>;
  async generateUntil(requests: GenerateRequest[], hooks: RequestHooks = {}): Promise<string[]> {
    return requests.map((r, i) => {
      const prompt = promptText(r.context);
      this.prompts.push(prompt);
      const reply = this.reply(prompt, r);
      hooks.onDetail?.(i, this.detail(prompt, reply));
      hooks.onResult?.(i, reply);
      return reply;
    });
  }
  async loglikelihood(): Promise<LoglikelihoodResult[]> {
    throw new LmEvalError(`${this.name} only generates`);
  }
  async loglikelihoodRolling(): Promise<number[]> {
    throw new LmEvalError(`${this.name} only generates`);
  }
  cacheIdentity(): Record<string, unknown> {
    return { scripted: this.name };
  }
}

export class ScriptedAnswerer extends Scripted {
  constructor() {
    super('scripted-answerer');
  }
  reply(prompt: string, request: GenerateRequest): string {
    const seed = typeof request.genKwargs.seed === 'number' ? request.genKwargs.seed : 0;
    return `${prompt.replace(/ASK:/g, 'JUDGE:')} #${seed}`;
  }
  detail(prompt: string, reply: string): Record<string, unknown> {
    return { reasoning: `thinking: ${prompt}`, finish_reason: 'stop', prompt_tokens: words(prompt), completion_tokens: words(reply), latency_s: 0.25 };
  }
}

export class ScriptedJudge extends Scripted {
  constructor() {
    super('scripted-judge');
  }
  reply(prompt: string): string {
    return scriptedVerdict(prompt);
  }
  detail(_prompt: string, reply: string): Record<string, unknown> {
    return { reasoning: `judged ${reply}` };
  }
}
