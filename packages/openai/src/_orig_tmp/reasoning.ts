/**
 * Reasoning output of chat models, kept out of the answer text and counted: a separate
 * `reasoning_content` / `reasoning` field (vLLM reasoning parsers), `<think>…</think>` blocks inline,
 * a lone `</think>` (the opening tag was in the prompt), an unterminated `<think>` (the budget ran
 * out mid-thought: no answer), and lm-eval's `think_end_token` (keep the text after its last
 * occurrence, then lstrip).
 */

export interface ReasoningStats {
  /** Chat answers seen. */
  responses: number;
  /** Answers that carried any reasoning. */
  with_reasoning: number;
  /** Reasoning from a separate message field. */
  from_field: number;
  /** Reasoning from inline think tags / think_end_token. */
  from_tags: number;
  /** `<think>` never closed: the answer is empty. */
  unterminated: number;
  /** Total characters (code points) of reasoning removed. */
  reasoning_chars: number;
}

export function emptyReasoningStats(): ReasoningStats {
  return { responses: 0, with_reasoning: 0, from_field: 0, from_tags: 0, unterminated: 0, reasoning_chars: 0 };
}

export interface SplitAnswer {
  answer: string | null;
  reasoning: string;
}

const cp = (s: string) => [...s].length;

/** Separates the answer from reasoning and updates `stats`. */
export function splitReasoning(message: Record<string, unknown> | null | undefined, thinkEndToken: string | null, stats: ReasoningStats): SplitAnswer {
  stats.responses += 1;
  const content = message?.content;
  const field = [message?.reasoning_content, message?.reasoning].find((x) => typeof x === 'string' && x.length > 0) as string | undefined;
  let reasoning = field ?? '';
  let fromTags = false;
  let unterminated = false;
  let answer: string | null = typeof content === 'string' ? content : null;
  if (answer !== null) {
    let removed = false;
    answer = answer.replace(/<think>([\s\S]*?)<\/think>/g, (_, inner: string) => {
      reasoning += inner;
      removed = true;
      return '';
    });
    const close = answer.lastIndexOf('</think>');
    if (close >= 0) {
      reasoning += answer.slice(0, close);
      answer = answer.slice(close + '</think>'.length);
      removed = true;
    }
    const open = answer.indexOf('<think>');
    if (open >= 0) {
      reasoning += answer.slice(open + '<think>'.length);
      answer = answer.slice(0, open);
      removed = true;
      unterminated = true;
    }
    if (thinkEndToken) {
      const at = answer.lastIndexOf(thinkEndToken);
      if (at >= 0) {
        reasoning += answer.slice(0, at);
        answer = answer.slice(at + thinkEndToken.length);
        removed = true;
      }
    }
    if (removed) {
      answer = answer.trimStart();
      fromTags = true;
    }
  }
  if (reasoning.length > 0 || fromTags) {
    stats.with_reasoning += 1;
    stats.reasoning_chars += cp(reasoning);
  }
  if (field) stats.from_field += 1;
  if (fromTags) stats.from_tags += 1;
  if (unterminated) stats.unterminated += 1;
  return { answer, reasoning };
}
