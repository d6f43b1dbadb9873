/**
 * Chat templates for `--model hf`: picking the tokenizer's template (single or named) and
 * rendering a conversation the way lm-eval calls transformers' `apply_chat_template(tokenize=False,
 * add_generation_prompt, continue_final_message=not add_generation_prompt)`.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { LmEvalError, createLogger, type ChatMessage } from '@lm-eval/core';
import { continueFinalMessage } from '@lm-eval/core/models';

const log = createLogger('hf');

/**
 * The template to use. `raw` is tokenizer_config.json's `chat_template`: a string, a list of
 * `{name, template}`, or a name → template map. A name selects from a named set (default:
 * `default`); with a single template the name is ignored, as in lm-eval.
 */
export function selectChatTemplate(raw: unknown, name?: string): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  const named: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const t of raw as Array<{ name?: unknown; template?: unknown }>) {
      if (typeof t?.name === 'string' && typeof t.template === 'string') named[t.name] = t.template;
    }
  } else if (typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') named[k] = v;
  }
  const wanted = name ?? 'default';
  if (wanted in named) return named[wanted];
  throw new LmEvalError(
    `The chat template '${wanted}' is not available. Available template names are ${Object.keys(named).sort().join(', ')}.`,
    'Pass one of them with --apply_chat_template <name>.',
  );
}

/**
 * Renders with the tokenizer's `apply_chat_template(tokenize=False, add_generation_prompt)` and,
 * when no generation prompt is asked for, transformers' `continue_final_message` cut (from
 * @lm-eval/core; transformers.js does not implement it). A template that rejects the conversation
 * is retried without system messages, as lm-eval does.
 */
export function renderChat(tokenizer: PreTrainedTokenizer, template: string, messages: ChatMessage[], addGenerationPrompt: boolean): string {
  const render = (msgs: ChatMessage[]) => {
    const rendered = tokenizer.apply_chat_template(msgs as never, {
      tokenize: false,
      add_generation_prompt: addGenerationPrompt,
      chat_template: template,
    } as never) as unknown as string;
    return addGenerationPrompt ? rendered : continueFinalMessage(rendered, msgs);
  };
  try {
    return render(messages);
  } catch (first) {
    if (!messages.some((m) => m.role === 'system')) {
      if (first instanceof LmEvalError) throw first;
      throw new LmEvalError(`chat template failed to render: ${(first as Error).message}`, 'Check chat_template in tokenizer_config.json.', { cause: first });
    }
    log.warn('Failed to apply chat template. Removing the system role in chat history.');
    try {
      return render(messages.filter((m) => m.role !== 'system'));
    } catch (e) {
      if (e instanceof LmEvalError) throw e;
      throw new LmEvalError(`chat template failed to render: ${(e as Error).message}`, 'Check chat_template in tokenizer_config.json.', { cause: e });
    }
  }
}
