/**
 * Chat templates rendered the way Hugging Face tokenizers render them: @huggingface/jinja
 * (trim_blocks + lstrip_blocks on; it defines `raise_exception` itself), `tojson` keeping non-ASCII,
 * `add_generation_prompt`, and `continue_final_message` (cut the rendered text right after the
 * final message's content) when no generation prompt is asked for.
 */
import { createRequire } from 'node:module';
import type { Template } from '@huggingface/jinja';
import type { ChatMessage } from './types.ts';
import { LmEvalError } from '../errors.ts';

/** @huggingface/jinja loads with the first chat template a run renders. */
let jinja: typeof import('@huggingface/jinja') | undefined;

export interface RenderChatOptions {
  addGenerationPrompt: boolean;
  /** Continue the final (assistant) message instead of closing it. */
  continueFinalMessage?: boolean;
  /** Extra template variables (bos_token, eos_token, ...). */
  variables?: Record<string, unknown>;
}

const compiled = new Map<string, Template>();

function compile(source: string): Template {
  let t = compiled.get(source);
  if (!t) {
    t = new (jinja ??= createRequire(import.meta.url)('@huggingface/jinja') as typeof import('@huggingface/jinja')).Template(source);
    compiled.set(source, t);
  }
  return t;
}

export function renderChatTemplate(source: string, messages: ChatMessage[], options: RenderChatOptions): string {
  const template = compile(source);
  let rendered: string;
  try {
    rendered = template.render({
      messages,
      add_generation_prompt: options.addGenerationPrompt,
      ...options.variables,
    });
  } catch (e) {
    if (e instanceof LmEvalError) throw e;
    throw new LmEvalError(`chat template failed to render: ${(e as Error).message}`);
  }
  if (options.continueFinalMessage) rendered = continueFinalMessage(rendered, messages);
  return rendered;
}

/** HF `continue_final_message`: cut after the last occurrence of the final message's content. */
export function continueFinalMessage(rendered: string, messages: ChatMessage[]): string {
  const final = messages[messages.length - 1]?.content ?? '';
  const stripped = final.trim();
  const loc = rendered.lastIndexOf(stripped);
  if (loc < 0) {
    throw new LmEvalError('continue_final_message: the final message does not appear in the rendered chat template');
  }
  const lstripped = final.trimStart();
  if (rendered.slice(loc, loc + lstripped.length) === final) return rendered.slice(0, loc + lstripped.length);
  return rendered.slice(0, loc + stripped.length);
}
