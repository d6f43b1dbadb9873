/**
 * lm-eval's HF `_loglikelihood_tokens` for causal models (lm_eval/models/huggingface.py): left-truncate
 * each `context + continuation` to `max_length + 1` tokens, drop the last one to form the input,
 * run right-padded batches sorted longest first, and read the continuation's log-probs from the
 * last `len(continuation)` positions. Requests with the same model input share one forward pass.
 */
import type { PreTrainedModel } from '@huggingface/transformers';
import { type LoglikelihoodResult } from '@lm-eval/core';
import { RequestTooLargeError } from '@lm-eval/core/models';
import { runDecoder, logitsRow } from './forward.ts';
import { tokenLogprob } from './logprobs.ts';
import type { BatchScheduler } from './batching.ts';

export interface TokenRequest {
  context: number[];
  continuation: number[];
}

export interface ScoreOptions {
  maxLength: number;
  padTokenId: number;
  scheduler: BatchScheduler;
  onResult?: (index: number, value: LoglikelihoodResult) => void;
  signal?: AbortSignal;
}

/** Python tuple ordering of token lists. */
function compareTokens(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

interface Group {
  input: number[];
  /** Full (untruncated) tokens of the first member, for the sort key. */
  whole: number[];
  members: number[];
}

export async function scoreTokenRequests(model: PreTrainedModel, requests: readonly TokenRequest[], opts: ScoreOptions): Promise<LoglikelihoodResult[]> {
  const results: LoglikelihoodResult[] = new Array(requests.length);
  const groups = new Map<string, Group>();
  requests.forEach((r, i) => {
    const whole = [...r.context, ...r.continuation];
    const input = whole.slice(-(opts.maxLength + 1)).slice(0, -1);
    if (r.continuation.length === 0) {
      results[i] = [0, true];
      opts.onResult?.(i, results[i]);
      return;
    }
    if (r.continuation.length > input.length) {
      // lm-eval's HFLM._loglikelihood_tokens asserts len(continuation_enc) <= max_length
      throw new RequestTooLargeError(
        i,
        `the continuation has ${r.continuation.length} tokens (the context ${r.context.length}); the hf backend scores at most max_length=${opts.maxLength} continuation tokens (lm-eval fails the same request with an AssertionError).`,
        'Raise max_length in --model_args (up to the model context) or shorten the continuation (doc_to_choice / doc_to_target).',
      );
    }
    const key = input.join(',');
    const g = groups.get(key);
    if (g) g.members.push(i);
    else groups.set(key, { input, whole, members: [i] });
  });
  const ordered = [...groups.values()].sort((a, b) => b.whole.length - a.whole.length || compareTokens(a.whole, b.whole));
  const batches = opts.scheduler.plan(ordered.map((g) => g.input.length));
  for (const [start, end] of batches) {
    opts.signal?.throwIfAborted();
    const batch = ordered.slice(start, end);
    const width = Math.max(...batch.map((g) => g.input.length));
    const ids = batch.map((g) => [...g.input, ...new Array<number>(width - g.input.length).fill(opts.padTokenId)]);
    const mask = batch.map((g) => Array.from({ length: width }, (_, j) => (j < g.input.length ? 1 : 0)));
    const positions = batch.map(() => Array.from({ length: width }, (_, j) => j));
    const out = await runDecoder(model, ids, mask, positions);
    batch.forEach((g, b) => {
      for (const i of g.members) {
        const cont = requests[i].continuation;
        const first = g.input.length - cont.length;
        let logprob = 0;
        let greedy = true;
        cont.forEach((tok, k) => {
          const r = tokenLogprob(logitsRow(out, b, first + k), tok);
          logprob += r.logprob;
          greedy &&= r.greedy;
        });
        results[i] = [logprob, greedy];
        opts.onResult?.(i, results[i]);
      }
    });
  }
  opts.signal?.throwIfAborted(); // aborted while the last batch was delivered
  return results;
}
