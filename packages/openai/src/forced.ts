/**
 * Forced-token scoring: exact loglikelihoods from an OpenAI-compatible completions server that
 * returns no prompt log-probs but reports the *pre-sampling* log-prob of the token it samples and
 * honours `logit_bias` (llama.cpp's llama-server: its `/v1/completions` `logprobs` are a softmax of
 * the raw logits, taken before the sampler chain, where `logit_bias` acts).
 *
 * For continuation token i: `prompt = (context + continuation[:i])` as token ids, `max_tokens: 1`,
 * `temperature: 0`, `logit_bias: {continuation[i]: 100}`: the server samples continuation[i] and
 * reports its log-prob under the model; `top_logprobs` (the most likely tokens of the same raw
 * distribution) say whether it was the greedy token. One request per continuation token, in order, so
 * the server's prompt cache makes each step cost one token.
 *
 * Every reply is checked: a step that sampled anything but the forced token fails the run instead
 * of being scored, and `verifyForcedScoring` proves on a real pair, before the run, that the server
 * honours `logit_bias` and reports pre-bias log-probs.
 */
import { LmEvalError } from '@lm-eval/core';
import type { CompletionChoiceLike } from './scoring.ts';

/** Added to the forced token's logit; with greedy sampling it wins unless the model's own margin exceeds it. */
export const FORCE_BIAS = 100;

/**
 * Largest gap accepted between a token's log-prob read unforced and read forced. A server that
 * reported post-bias log-probs would give ≈0 for a forced non-greedy token, whose true log-prob is
 * at most log(1/2) ≈ −0.69: the two cannot be confused.
 */
const VERIFY_TOLERANCE = 0.01;

export interface ForcedStepEntry {
  id: number | null;
  token: string;
  logprob: number;
  top: Array<{ id: number | null; logprob: number }>;
}

/**
 * The `/v1/completions` body of one step (`forced` null: an unforced probe). `idSlot` pins the step
 * to one llama-server slot (its `id_slot`), so the slot's prompt cache holds the continuation's prefix.
 */
export function forcedStepPayload(model: string | null, prompt: number[], forced: number | null, seed: number, topN = 1, idSlot: number | null = null, cachePrompt = true): Record<string, unknown> {
  const p: Record<string, unknown> = { model, prompt, max_tokens: 1, temperature: 0, logprobs: topN, seed, cache_prompt: cachePrompt };
  if (forced !== null) p.logit_bias = { [String(forced)]: FORCE_BIAS };
  if (idSlot !== null) p.id_slot = idSlot;
  return p;
}

/**
 * llama-server's slots (`total_slots` in GET /props), lent one per continuation: a continuation's
 * steps all go to its slot, in order, and no two continuations share a slot at once (more
 * continuations than slots wait for one to come free).
 */
export class SlotPool {
  private readonly free: number[];
  private readonly waiting: Array<(slot: number) => void> = [];

  constructor(readonly size: number) {
    this.free = Array.from({ length: size }, (_, i) => i);
  }

  acquire(): Promise<number> {
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  /** Runs `work` on a lent slot and gives the slot back whatever happens. */
  async with<T>(work: (slot: number) => Promise<T>): Promise<T> {
    const slot = await this.acquire();
    try {
      return await work(slot);
    } finally {
      this.release(slot);
    }
  }
}

/** The slot count a llama-server reports in GET /props (`total_slots`); null when absent. */
export function totalSlots(props: unknown): number | null {
  const n = (props as { total_slots?: unknown } | null)?.total_slots;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : null;
}

/** Reads the first generated token's entry (llama.cpp `logprobs.content[0]`, with `id`s). */
export function readStepEntry(choice: CompletionChoiceLike | undefined, where: string): ForcedStepEntry {
  const content = (choice?.logprobs as { content?: unknown } | null | undefined)?.content;
  const first = Array.isArray(content) ? (content[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || typeof first.logprob !== 'number') {
    throw new LmEvalError(`${where} returned no log-prob for the generated token (logprobs.content[0].logprob is missing).`);
  }
  const top = Array.isArray(first.top_logprobs)
    ? (first.top_logprobs as Array<Record<string, unknown>>).filter((e) => typeof e?.logprob === 'number').map((e) => ({ id: typeof e.id === 'number' ? e.id : null, logprob: e.logprob as number }))
    : [];
  return { id: typeof first.id === 'number' ? first.id : null, token: String(first.token ?? ''), logprob: first.logprob, top };
}

/** One forced step's answer: the forced token's log-prob and whether it was the most likely token. */
export function scoreForcedStep(entry: ForcedStepEntry, forced: number, where: string): [number, boolean] {
  if (entry.id !== forced) {
    throw new LmEvalError(
      `${where} sampled token ${entry.id ?? JSON.stringify(entry.token)} where token ${forced} was forced with logit_bias; the log-prob would belong to the wrong token.`,
      'The server must honour logit_bias (llama.cpp does). Restart it without a grammar or sampler settings that override logit_bias, or serve the model with vLLM.',
    );
  }
  if (entry.top.length === 0) throw new LmEvalError(`${where} returned no top_logprobs for a forced step, so is_greedy cannot be decided.`);
  let greedy = true;
  for (const t of entry.top) if (t.id !== forced && t.logprob > entry.logprob) greedy = false;
  return [entry.logprob, greedy];
}

/** Why a server cannot be scored by forcing (null: it can). */
export type ForcedVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Proves forced scoring on a real prompt: an unforced step names the greedy token g and a runner-up
 * t with its log-prob; a step forcing t must sample t, report the same log-prob (pre-bias), and still
 * rank g first. `send(prompt, forced)` returns the step's first choice.
 */
export async function verifyForcedScoring(
  prompt: number[],
  send: (prompt: number[], forced: number | null, topN: number) => Promise<CompletionChoiceLike | undefined>,
  where: string,
): Promise<ForcedVerdict> {
  let free: ForcedStepEntry;
  try {
    free = readStepEntry(await send(prompt, null, 2), where);
  } catch (e) {
    if (e instanceof LmEvalError) return { ok: false, reason: e.message };
    throw e;
  }
  if (free.id === null) return { ok: false, reason: 'its log-probs carry no token ids (logprobs.content[].id)' };
  const runnerUp = free.top.find((t) => t.id !== null && t.id !== free.id);
  if (!runnerUp || runnerUp.id === null) return { ok: false, reason: 'it returned no top_logprobs beyond the sampled token' };
  let forced: ForcedStepEntry;
  try {
    forced = readStepEntry(await send(prompt, runnerUp.id, 2), where);
  } catch (e) {
    if (e instanceof LmEvalError) return { ok: false, reason: e.message };
    throw e;
  }
  if (forced.id !== runnerUp.id) {
    return { ok: false, reason: `it ignores logit_bias (forcing token ${runnerUp.id} still sampled token ${forced.id ?? JSON.stringify(forced.token)})` };
  }
  if (Math.abs(forced.logprob - runnerUp.logprob) > VERIFY_TOLERANCE) {
    return {
      ok: false,
      reason: `it reports the log-prob after logit_bias (token ${runnerUp.id}: ${forced.logprob.toFixed(4)} forced vs ${runnerUp.logprob.toFixed(4)} unforced)`,
    };
  }
  if (forced.top[0]?.id !== free.id) return { ok: false, reason: 'its top_logprobs change under logit_bias (they must be the pre-sampling distribution)' };
  return { ok: true };
}
