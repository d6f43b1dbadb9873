/**
 * Reading log-likelihoods out of completions replies (lm_eval/models/openai_completions.py
 * `LocalCompletionsAPI.parse_logprobs`; vLLM's echo + `logprobs` and `prompt_logprobs` replies). Pure functions over the JSON; every length is checked so a server that tokenises
 * differently (or does not echo prompt log-probs) fails loudly instead of shifting the window.
 */
import { LmEvalError } from '@lm-eval/core';
import { PromptLogprobsTable } from './prompt-logprobs-table.ts';

/** How a loglikelihood was computed; recorded in resultsInfo(). */
export type ScoringPath = 'echo' | 'prompt_logprobs' | 'forced' | 'chat-prompt-logprobs' | 'chat-top-logprobs';

export interface EchoLogprobs {
  tokens?: unknown;
  token_logprobs?: unknown;
  top_logprobs?: unknown;
  text_offset?: unknown;
  content?: unknown;
}

export interface CompletionChoiceLike {
  index?: number;
  text?: string | null;
  logprobs?: EchoLogprobs | null;
  prompt_logprobs?: unknown;
  finish_reason?: string | null;
}

/** Choices placed by `index` (lm-eval latest sorts by it). */
export function choicesByIndex(resp: unknown, expected: number, where: string): CompletionChoiceLike[] {
  const choices = (resp as { choices?: unknown })?.choices;
  if (!Array.isArray(choices)) throw new LmEvalError(`${where} answered without a "choices" list.`);
  let sorted = choices as CompletionChoiceLike[];
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i - 1].index ?? 0) > (sorted[i].index ?? 0)) {
      sorted = [...sorted].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      break;
    }
  }
  if (sorted.length !== expected) {
    throw new LmEvalError(`${where} returned ${sorted.length} choices for ${expected} prompts.`, 'The server must answer one choice per prompt (n=1).');
  }
  return sorted;
}

/**
 * Echo path: `logprob = Σ token_logprobs[ctxlen:-1]`, `is_greedy` = every such logprob equals the
 * max of that position's `top_logprobs` values. `inputLength` = prompt tokens sent; the echo must
 * hold exactly inputLength + 1 positions.
 */
export function scoreEchoChoice(choice: CompletionChoiceLike, inputLength: number, ctxlen: number, where: string): [number, boolean] {
  const lp = choice.logprobs;
  const tl = lp?.token_logprobs;
  const top = lp?.top_logprobs;
  if (!Array.isArray(tl) || !Array.isArray(top)) {
    throw new LmEvalError(
      `${where} returned no echoed token log-probs (logprobs.token_logprobs is missing${lp && Array.isArray(lp.content) ? '; it sent llama.cpp-style generated-token logprobs' : ''}).`,
      ECHO_HINT,
    );
  }
  if (tl.length !== inputLength + 1) {
    throw new LmEvalError(
      `${where} echoed ${tl.length} token log-probs for a prompt of ${inputLength} tokens (expected ${inputLength + 1}: the prompt plus the one generated token). ` +
        'The server tokenised the prompt differently (e.g. added a BOS to a text prompt) or does not echo prompt log-probs; scores would be shifted.',
      'Send token ids (tokenized_requests=True) with the tokenizer the server uses.',
    );
  }
  if (ctxlen < 1) {
    throw new LmEvalError(`A continuation fills the whole window (ctxlen ${ctxlen}); the first position has no log-prob.`, 'Raise max_length.');
  }
  let sum = 0;
  let greedy = true;
  for (let i = ctxlen; i < tl.length - 1; i++) {
    const x = tl[i];
    if (typeof x !== 'number') throw new LmEvalError(`${where} sent a null log-prob at prompt position ${i}.`);
    sum += x;
    const t = top[i] as Record<string, number> | null;
    if (!t || typeof t !== 'object') throw new LmEvalError(`${where} sent no top_logprobs at prompt position ${i}.`);
    let max = -Infinity;
    for (const k in t) if (t[k] > max) max = t[k];
    if (x !== max) greedy = false;
  }
  return [sum, greedy];
}

type PromptLogprobEntry = { logprob: number; rank?: number | null } | number;

/**
 * vLLM `prompt_logprobs` path (token-id keyed, lm-eval's vLLM backend rule): `logprob = Σ
 * entry[inp[i]]` for i ≥ ctxlen, `is_greedy` = the actual token has the largest log-prob of each
 * position's dict. `prompt_logprobs` must have exactly `input.length` entries. Reads the parsed list
 * or the reply reader's PromptLogprobsTable of it alike.
 */
export function scorePromptLogprobs(promptLogprobs: unknown, input: number[], ctxlen: number, where: string): [number, boolean] {
  // the reply reader's table of the positions scoring reads, or the parsed list
  const table = promptLogprobs instanceof PromptLogprobsTable ? promptLogprobs : null;
  const length = table !== null ? table.length : Array.isArray(promptLogprobs) ? promptLogprobs.length : null;
  if (length !== input.length) {
    throw new LmEvalError(
      `${where} returned ${length ?? 'no'} prompt_logprobs entries for a prompt of ${input.length} tokens.`,
      'Use scoring=echo in --model_args, or a vLLM server.',
    );
  }
  if (ctxlen < 1) throw new LmEvalError(`A continuation fills the whole window (ctxlen ${ctxlen}); the first position has no log-prob.`, 'Raise max_length.');
  const lacks = (i: number) => new LmEvalError(`${where}: prompt_logprobs at position ${i} lacks the prompt token ${input[i]}.`);
  let sum = 0;
  let greedy = true;
  for (let i = ctxlen; i < input.length; i++) {
    if (table !== null) {
      const x = table.tokenLogprob(i, input[i]);
      if (x === undefined) throw lacks(i);
      sum += x;
      if (table.othersAbove(i, input[i], x)) greedy = false;
      continue;
    }
    const d = (promptLogprobs as unknown[])[i] as Record<string, PromptLogprobEntry> | null;
    const e = d?.[String(input[i])];
    if (e === undefined || e === null) throw lacks(i);
    const x = typeof e === 'number' ? e : e.logprob;
    sum += x;
    for (const [id, v] of Object.entries(d as Record<string, PromptLogprobEntry>)) {
      if (id !== String(input[i]) && (typeof v === 'number' ? v : v.logprob) > x) greedy = false;
    }
  }
  return [sum, greedy];
}

export const ECHO_HINT =
  'Serve the model with vLLM or SGLang (a log-probability for every prompt token) or with llama.cpp\'s llama-server ' +
  '(scored exactly by forcing each continuation token with logit_bias: scoring=forced), or run only the generate_until tasks on this server.';

/** The refusal for servers that do not echo prompt log-probs (llama.cpp). */
export function noPromptLogprobsError(url: string, detail: string): LmEvalError {
  return new LmEvalError(
    `The server at ${url} does not return a log-probability for every prompt token (${detail}). ` +
      'Loglikelihood / multiple-choice / perplexity tasks cannot be scored exactly against it.',
    ECHO_HINT,
  );
}
